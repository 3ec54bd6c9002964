// The API reference, read from the OpenAPI document the routes' own zod schemas write: each
// route, its parameters, its body and answers, and an example of each. Where a schema carries
// no example of its own, one is made from the schema, so every route shows one.
import type { OpenAPIV3 } from "openapi-types";

type Schema = OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject;

export interface DocParameter {
  name: string;
  in: string;
  required: boolean;
  type: string;
  description: string;
}

export interface DocBody {
  schemaName: string | null;
  schema: string;
  example: string;
}

export interface DocOperation {
  anchor: string;
  method: string;
  path: string;
  tag: string;
  summary: string;
  description: string;
  parameters: DocParameter[];
  body: DocBody | null;
  responses: Array<{ status: string; body: DocBody | null }>;
}

export interface ApiReference {
  title: string;
  description: string;
  version: string;
  operations: DocOperation[];
  schemas: Array<{ name: string; schema: string }>;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function refName(schema: Schema | undefined): string | null {
  return schema && "$ref" in schema ? schema.$ref.split("/").at(-1)! : null;
}

function resolve(schema: Schema | undefined, components: Record<string, Schema>): OpenAPIV3.SchemaObject | undefined {
  let current = schema;
  for (let i = 0; current && "$ref" in current && i < 10; i++) current = components[refName(current)!];
  return current as OpenAPIV3.SchemaObject | undefined;
}

/** An example for a schema: its own if it has one, otherwise made from its shape. */
export function exampleFor(schema: Schema | undefined, components: Record<string, Schema>, depth = 0): unknown {
  const resolved = resolve(schema, components);
  if (!resolved || depth > 8) return null;
  if (resolved.example !== undefined) return resolved.example;
  const examples = (resolved as { examples?: unknown[] }).examples;
  if (Array.isArray(examples) && examples.length) return examples[0];
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.enum?.length) return resolved.enum[0];
  const choice = resolved.anyOf?.[0] ?? resolved.oneOf?.[0] ?? resolved.allOf?.[0];
  if (choice) return exampleFor(choice, components, depth + 1);
  const type = Array.isArray(resolved.type) ? resolved.type[0] : resolved.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(resolved.properties ?? {})) out[name] = exampleFor(property, components, depth + 1);
      return out;
    }
    case "array":
      return [exampleFor((resolved as OpenAPIV3.ArraySchemaObject).items, components, depth + 1)];
    case "integer":
    case "number":
      return typeof resolved.minimum === "number" ? Math.max(resolved.minimum, resolved.exclusiveMinimum ? resolved.minimum + 1 : resolved.minimum) : 1;
    case "boolean":
      return true;
    case "string":
      if (resolved.format === "date-time") return "2026-05-01T21:30:00Z";
      if (resolved.format === "date") return "2026-05-01";
      if (resolved.format === "email") return "name@example.com";
      return "text";
    default:
      return null;
  }
}

function typeOf(schema: Schema | undefined, components: Record<string, Schema>): string {
  const resolved = resolve(schema, components);
  if (!resolved) return "";
  if (resolved.enum) return `one of ${resolved.enum.join(", ")}`;
  const type = Array.isArray(resolved.type) ? resolved.type.join(" or ") : (resolved.type ?? "");
  return resolved.format ? `${type} (${resolved.format})` : type;
}

function body(content: Record<string, OpenAPIV3.MediaTypeObject> | undefined, components: Record<string, Schema>): DocBody | null {
  const media = content?.["application/json"] ?? Object.values(content ?? {})[0];
  if (!media?.schema) return null;
  return {
    schemaName: refName(media.schema),
    schema: JSON.stringify(media.schema, null, 2),
    example: JSON.stringify(media.example ?? exampleFor(media.schema, components), null, 2),
  };
}

export function apiReference(document: OpenAPIV3.Document): ApiReference {
  const components = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const operations: DocOperation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method];
      if (!operation) continue;
      operations.push({
        anchor: `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, "-").replace(/-+$/, ""),
        method: method.toUpperCase(),
        path,
        tag: operation.tags?.[0] ?? "other",
        summary: operation.summary ?? "",
        description: operation.description ?? "",
        parameters: ((operation.parameters ?? []) as OpenAPIV3.ParameterObject[]).map((p) => ({
          name: p.name,
          in: p.in,
          required: Boolean(p.required),
          type: typeOf(p.schema, components),
          description: p.description ?? (resolve(p.schema, components)?.description ?? ""),
        })),
        body: body((operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content, components),
        responses: Object.entries(operation.responses ?? {}).map(([status, response]) => ({
          status,
          body: body((response as OpenAPIV3.ResponseObject).content, components),
        })),
      });
    }
  }
  operations.sort((a, b) => a.tag.localeCompare(b.tag) || a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  return {
    title: document.info.title,
    description: document.info.description ?? "",
    version: document.info.version,
    operations,
    schemas: Object.entries(components)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, schema]) => ({ name, schema: JSON.stringify(schema, null, 2) })),
  };
}
