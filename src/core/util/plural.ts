/** "1 class", "10 classes", "1,000 parameters": a count and its noun, for messages. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
