// The `audit` block's file syntax (Consul Enterprise's shape); built into the runtime in audit.ts.
// Kept apart from audit.ts so schema.ts can import it without an import cycle through load.ts.
import { z } from 'zod';

const AuditSinkSchema = z
  .strictObject({
    type: z.string(),
    format: z.string(),
    path: z.string(),
    delivery_guarantee: z.string(),
    mode: z.string(),
    rotate_bytes: z.number().int().min(0),
    rotate_duration: z.union([z.string(), z.number()]),
    rotate_max_files: z.number().int().min(0),
  })
  .partial();

export const AuditSchema = z
  .strictObject({
    enabled: z.boolean(),
    sink: z.record(z.string(), AuditSinkSchema),
  })
  .partial();

export type AuditFileConfig = z.infer<typeof AuditSchema>;
