/** Reading the repository's own Markdown, for tests that keep the docs true. */

/** The body of the section under `heading` (e.g. `## Meltano`), up to the next heading of the same or a higher level. */
export function markdownSection(text: string, heading: string): string {
  const level = /^#+/.exec(heading)?.[0].length;
  if (!level) throw new Error(`not a Markdown heading: ${heading}`);
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`heading not found: ${heading}`);
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The fenced code blocks of `text` whose info string is `language` (e.g. `bash`), in order, without the fences. */
export function codeBlocks(text: string, language: string): string[] {
  const blocks: string[] = [];
  const fence = /^```(\S*)\n([\s\S]*?)^```$/gm;
  for (const match of text.matchAll(fence)) if (match[1] === language) blocks.push(match[2]);
  return blocks;
}

/** The cells of each row of the first pipe table in `text`, header and separator rows excluded. */
export function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return lines.slice(start + 2, end < 0 ? undefined : end).map((line) =>
    line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim()),
  );
}
