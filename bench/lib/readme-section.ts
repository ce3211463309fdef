/**
 * The part of bench/README.md that the runner rewrites: everything between the two markers. The rest of the
 * README is written by people and left alone; without the markers the section is appended.
 */
export const SECTION_START = '<!-- bench:latest:start (written by npm run bench; edit outside the markers) -->';
export const SECTION_END = '<!-- bench:latest:end -->';

export function replaceSection(readme: string, body: string): string {
  const section = `${SECTION_START}\n${body.trimEnd()}\n${SECTION_END}`;
  const start = readme.indexOf(SECTION_START);
  const end = readme.indexOf(SECTION_END);
  if (start < 0 || end < start) return `${readme.trimEnd()}\n\n${section}\n`;
  return `${readme.slice(0, start)}${section}${readme.slice(end + SECTION_END.length)}`;
}
