/** Text encodings a profile file may use. `utf-16` reads the byte-order mark and defaults to little-endian. */
export const textEncodings = [
  'utf-8',
  'utf-16',
  'utf-16le',
  'utf-16be',
  'iso-8859-1',
  'windows-1252',
] as const;
export type TextEncoding = (typeof textEncodings)[number];

/** CSV dialect. Each setting is exactly one character. */
export interface CsvOptions {
  /** Field separator; default `;`. */
  delimiter: string;
  /** Quote character; default `"`. */
  quote: string;
  /** Escape character inside quoted fields; default `\`. It escapes only the quote or itself. */
  escape: string;
}

/** Layout of a profile file: the format and its text options. */
export interface FileFormat {
  format: 'csv' | 'json';
  encoding: TextEncoding;
  csv: CsvOptions;
}

export const defaultCsvOptions: CsvOptions = { delimiter: ';', quote: '"', escape: '\\' };

export const defaultFileFormat: FileFormat = { format: 'csv', encoding: 'utf-8', csv: defaultCsvOptions };
