// snappyjs ships no type declarations: the two functions we use (block format, as Loki's push API sends it).
declare module 'snappyjs' {
  export function uncompress<T extends Uint8Array | ArrayBuffer>(compressed: T, maxLength?: number): T;
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
}
