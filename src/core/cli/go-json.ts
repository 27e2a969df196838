// encoding/json output as Go writes it: json.MarshalIndent escapes <, >, & and U+2028/U+2029
// (HTML-safe by default); everything else matches JSON.stringify.

function escapeLikeGo(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function goMarshalIndent(value: unknown, indent: string): string {
  return escapeLikeGo(JSON.stringify(value, null, indent));
}
