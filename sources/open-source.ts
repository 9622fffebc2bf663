import type { DefinitionSource } from '../core/definition.js';
import type { FileSource } from './file-source.js';
import { LocalFileSource } from './local-source.js';

export interface SourceSettings {
  importRoot: string;
}

/** Opens the file a definition names. */
export async function openSource(source: DefinitionSource, settings: SourceSettings): Promise<FileSource> {
  switch (source.protocol) {
    case 'local':
      return LocalFileSource.open(settings.importRoot, source.path);
  }
}

export type OpenSource = typeof openSource;
