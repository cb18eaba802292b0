import { StringDecoder } from 'node:string_decoder';

/** Lines of a byte stream (UTF-8), without their line terminators. */
export async function* readLines(stream: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of stream) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    let newline: number;
    while ((newline = text.indexOf('\n', start)) !== -1) {
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      yield text.slice(start, end);
      start = newline + 1;
    }
    carry = text.slice(start);
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) yield rest;
}
