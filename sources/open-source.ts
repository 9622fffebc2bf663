import type { DefinitionSource } from '../core/definition.js';
import type { FileSource } from './file-source.js';
import { GcsFileSource } from './gcs-source.js';
import { LocalFileSource } from './local-source.js';
import { S3FileSource } from './s3-source.js';
import { SftpFileSource } from './sftp-source.js';

export interface SourceSettings {
  importRoot: string;
}

/**
 * Opens the file a definition names. Remote sources connect on their first `stat` or `read`, so
 * opening one only checks its settings; close it with `close()` when done.
 * @throws SourceError for a local path outside the import root, or GCS credentials that are not a
 *   service-account key.
 */
export async function openSource(source: DefinitionSource, settings: SourceSettings): Promise<FileSource> {
  switch (source.protocol) {
    case 'local':
      return LocalFileSource.open(settings.importRoot, source.path);
    case 'sftp':
      return new SftpFileSource(source);
    case 's3':
      return new S3FileSource(source);
    case 'gcs':
      return new GcsFileSource(source);
  }
}

export type OpenSource = typeof openSource;
