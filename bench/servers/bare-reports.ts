// The ceiling for report submission: a bare Fastify route that validates the same body with the
// same zod schema and answers 201, touching no database. Same proxy trust as the app; no logger,
// no hooks. Prints "listening PORT" once it listens on loopback.
import Fastify from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { newReportSchema, receiptSchema } from "../../src/modules/reports/reports.schemas.ts";

const app = Fastify({ trustProxy: true, bodyLimit: 100 * 1024 });
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);
app.withTypeProvider<ZodTypeProvider>().post("/api/reports", { schema: { body: newReportSchema, response: { 201: receiptSchema } } }, async (_request, reply) =>
  reply.status(201).send({ reference: "OB-0000000", receiptCode: "0000-0000-0000-0000" }),
);
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
