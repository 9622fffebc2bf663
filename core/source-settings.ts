import { z } from 'zod';

/** A file under the server's import root: the embedded default and tests. */
export const localSourceSchema = z
  .object({
    protocol: z.literal('local'),
    /** Path of the file, relative to the server's import root. */
    path: z.string().min(1, 'path must name a file under the import root'),
  })
  .strict();

/** Where a definition's file is: the protocol and its settings. */
export const sourceSchema = z.discriminatedUnion('protocol', [localSourceSchema], {
  error: 'source.protocol must be one of: local',
});

export type DefinitionSource = z.infer<typeof sourceSchema>;
