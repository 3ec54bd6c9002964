// One description of a report, used by the JSON API (and so the OpenAPI document), the web
// form's last step and Open311: the same limits and the same messages wherever a report comes from.
import { z } from "zod";

export const DESCRIPTION_LIMIT = 4000;
export const LOCATION_TEXT_LIMIT = 500;

const noHtml = (text: string) => !/<[a-z!/?]/i.test(text);

export const vehicleSchema = z
  .object({
    registration: z.string().max(20, "A registration is 8 characters or fewer, like AB12 CDE").optional(),
    make: z.string().max(40, "Make must be 40 characters or fewer").optional(),
    colour: z.string().max(30, "Colour must be 30 characters or fewer").optional(),
  })
  .strict();

export const newReportSchema = z
  .object({
    category: z.string().min(1, "Choose what you are reporting").max(60),
    occurredAt: z.iso.datetime({ offset: true, message: "occurredAt must be an ISO 8601 date and time, like 2026-05-01T21:30:00Z" }),
    occurredUntil: z.iso.datetime({ offset: true, message: "occurredUntil must be an ISO 8601 date and time" }).optional(),
    lat: z.number().min(-90).max(90).optional(),
    lng: z.number().min(-180).max(180).optional(),
    accuracy: z.number().min(0).max(100_000).optional(),
    locationText: z
      .string()
      .max(LOCATION_TEXT_LIMIT, `Describe the place in ${LOCATION_TEXT_LIMIT} characters or fewer`)
      .refine(noHtml, "Remove anything written between < and >")
      .optional(),
    description: z
      .string()
      .trim()
      .min(1, "Tell us what happened")
      .max(DESCRIPTION_LIMIT, `Tell us what happened in ${DESCRIPTION_LIMIT} characters or fewer`)
      .refine(noHtml, "Remove anything written between < and >"),
    answers: z.record(z.string().max(60), z.union([z.string().max(2000), z.array(z.string().max(200)).max(20)])).optional(),
    vehicle: vehicleSchema.optional(),
    contact: z.object({ email: z.email("Enter an email address in the correct format, like name@example.com").max(254) }).strict().optional(),
  })
  .strict()
  .meta({
    id: "NewReport",
    example: {
      category: "kerb-crawling",
      occurredAt: "2026-05-01T21:30:00Z",
      lat: 51.5383,
      lng: 0.7274,
      description: "A car circled the block four times and stopped to proposition me.",
      answers: { what: "propositioned" },
      vehicle: { registration: "AB12 CDE", make: "BMW", colour: "Black" },
    },
  });
export type NewReport = z.infer<typeof newReportSchema>;

export const receiptSchema = z
  .object({
    reference: z.string().meta({ example: "OB-7K3M9QX" }),
    receiptCode: z.string().meta({ description: "Shown once. Keep it: it is the only way back to the report.", example: "7K3M-9QXA-2BCD-EF01" }),
  })
  .meta({ id: "ReportReceipt" });

export const trackRequestSchema = z.object({ receiptCode: z.string().min(1).max(40) }).strict().meta({ id: "TrackRequest" });

export const trackedReportSchema = z
  .object({
    reference: z.string(),
    category: z.string(),
    status: z.enum(["received", "triaged", "in_progress", "closed"]),
    statusLabel: z.string(),
    outcome: z.string().nullable(),
    receivedAt: z.string(),
    closedAt: z.string().nullable(),
    canReopen: z.boolean(),
    updates: z.array(z.object({ title: z.string(), body: z.string(), publishedAt: z.string() })),
    additions: z.array(z.object({ kind: z.enum(["addition", "reopen"]), addedAt: z.string() })),
  })
  .meta({ id: "TrackedReport" });
export type TrackedReport = z.infer<typeof trackedReportSchema>;

export const addInformationSchema = z
  .object({
    receiptCode: z.string().min(1).max(40),
    text: z.string().trim().min(1, "Enter the information you want to add").max(DESCRIPTION_LIMIT).refine(noHtml, "Remove anything written between < and >"),
    reopen: z.boolean().optional(),
  })
  .strict()
  .meta({ id: "AddInformation" });

export const errorSchema = z
  .object({
    error: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Error" });
