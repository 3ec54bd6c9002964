// Vehicle words residents choose from, so sightings of the same car can be matched.

/** The colours the DVLA records, so a resident's colour can be compared with the keeper's record. */
export const COLOURS = [
  "Beige", "Black", "Blue", "Bronze", "Brown", "Cream", "Gold", "Green", "Grey", "Maroon",
  "Orange", "Pink", "Purple", "Red", "Silver", "Turquoise", "White", "Yellow", "Multi-coloured",
] as const;
