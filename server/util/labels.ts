/** A label set as Loki prints it, `{a="1", b="2"}`: sorted names, JSON-quoted values (also the order Loki sorts
 *  result streams by). Stream ids hash a Go-quoted variant instead: see schema/native.ts canonicalLabels. */
export function labelsString(l: Record<string, string>): string {
  return (
    '{' +
    Object.keys(l)
      .sort()
      .map((k) => `${k}=${JSON.stringify(l[k])}`)
      .join(', ') +
    '}'
  );
}
