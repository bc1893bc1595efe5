export interface ZipEntry {
  name: string;
  size: number;
  compressedSize: number;
  method: number;
  localOffset: number;
}
export function readZipDirectory(file: string, buf?: Buffer): ZipEntry[];
export function readZipEntry(file: string, name: string): Buffer;
