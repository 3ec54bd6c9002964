// JSON Schemas of GeoReport v2's JSON answers, written from the specification (and mySociety's
// servicerequestupdates extension) rather than from openbeat's code, so the conformance tests
// check openbeat against the standard and not against itself. Fields the specification lists
// but openbeat leaves out on purpose (description, address, zipcode, media_url of a request)
// are allowed by the schemas and checked for absence by the privacy tests.

const w3cDatetime = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$" } as const;
const text = { type: "string" } as const;

export const discoverySchema = {
  type: "object",
  required: ["changeset", "contact", "key_service", "endpoints"],
  properties: {
    changeset: w3cDatetime,
    contact: text,
    key_service: text,
    endpoints: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["specification", "url", "changeset", "type", "formats"],
        properties: {
          specification: { type: "string", format: "uri" },
          url: { type: "string", format: "uri" },
          changeset: w3cDatetime,
          type: { enum: ["production", "test"] },
          formats: { type: "array", minItems: 1, items: { enum: ["text/xml", "application/json"] } },
        },
      },
    },
  },
} as const;

export const servicesSchema = {
  type: "array",
  items: {
    type: "object",
    required: ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
    properties: {
      service_code: { type: "string", minLength: 1 },
      service_name: { type: "string", minLength: 1 },
      description: text,
      metadata: { type: "boolean" },
      type: { enum: ["realtime", "batch", "blackbox"] },
      keywords: text,
      group: text,
    },
    additionalProperties: false,
  },
} as const;

export const serviceDefinitionSchema = {
  type: "object",
  required: ["service_code", "attributes"],
  properties: {
    service_code: { type: "string", minLength: 1 },
    attributes: {
      type: "array",
      items: {
        type: "object",
        required: ["variable", "code", "datatype", "required", "datatype_description", "order", "description"],
        properties: {
          variable: { type: "boolean" },
          code: { type: "string", minLength: 1 },
          datatype: { enum: ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"] },
          required: { type: "boolean" },
          datatype_description: { type: ["string", "null"] },
          order: { type: "integer", minimum: 1 },
          description: text,
          values: {
            type: "array",
            items: { type: "object", required: ["key", "name"], properties: { key: text, name: text }, additionalProperties: false },
          },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

/** POST Service Request: either a service_request_id or a token; openbeat adds receipt_code. */
export const postedRequestSchema = {
  type: "array",
  minItems: 1,
  maxItems: 1,
  items: {
    type: "object",
    anyOf: [{ required: ["service_request_id"] }, { required: ["token"] }],
    properties: {
      service_request_id: { type: "string", minLength: 1 },
      token: text,
      service_notice: text,
      account_id: { type: ["string", "null"] },
      receipt_code: text,
    },
  },
} as const;

export const serviceRequestsSchema = {
  type: "array",
  items: {
    type: "object",
    required: ["service_request_id", "status", "requested_datetime"],
    properties: {
      service_request_id: { type: "string", minLength: 1 },
      status: { enum: ["open", "closed"] },
      status_notes: { type: ["string", "null"] },
      service_name: { type: ["string", "null"] },
      service_code: { type: ["string", "null"] },
      description: { type: ["string", "null"] },
      agency_responsible: { type: ["string", "null"] },
      service_notice: { type: ["string", "null"] },
      requested_datetime: w3cDatetime,
      updated_datetime: { anyOf: [w3cDatetime, { type: "null" }] },
      expected_datetime: { anyOf: [w3cDatetime, { type: "null" }] },
      address: { type: ["string", "null"] },
      address_id: { type: ["string", "null"] },
      zipcode: { type: ["string", "null"] },
      lat: { type: "number", minimum: -90, maximum: 90 },
      long: { type: "number", minimum: -180, maximum: 180 },
      media_url: { type: ["string", "null"] },
    },
    additionalProperties: false,
  },
} as const;

export const serviceRequestUpdatesSchema = {
  type: "array",
  items: {
    type: "object",
    required: ["update_id", "service_request_id", "status", "updated_datetime", "description"],
    properties: {
      update_id: { type: "string", minLength: 1 },
      service_request_id: { type: "string", minLength: 1 },
      status: { enum: ["open", "closed"] },
      updated_datetime: w3cDatetime,
      description: text,
      media_url: { type: ["string", "null"] },
    },
    additionalProperties: false,
  },
} as const;

export const errorsSchema = {
  type: "array",
  minItems: 1,
  items: {
    type: "object",
    required: ["code", "description"],
    properties: { code: { type: "integer" }, description: { type: "string", minLength: 1 } },
    additionalProperties: false,
  },
} as const;
