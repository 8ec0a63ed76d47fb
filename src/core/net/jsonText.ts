/** Parses the text of one of a bundle's JSON files; invalid JSON becomes "<file> is not valid JSON." */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON.`);
  }
}
