import { describe, expect, it } from 'vitest';
import { SECTION_END, SECTION_START, replaceSection } from './readme-section.js';

describe('the README section the runner rewrites', () => {
  it('replaces only what is between the markers, and is idempotent', () => {
    const readme = `# Benchmarks\n\nWritten by people.\n\n${SECTION_START}\nold table\n${SECTION_END}\n\n## After\nalso by people\n`;
    const once = replaceSection(readme, 'new table\n');
    expect(once).toBe(`# Benchmarks\n\nWritten by people.\n\n${SECTION_START}\nnew table\n${SECTION_END}\n\n## After\nalso by people\n`);
    expect(replaceSection(once, 'new table\n')).toBe(once);
  });

  it('appends the section when the markers are missing', () => {
    expect(replaceSection('# Benchmarks\n', 'table')).toBe(`# Benchmarks\n\n${SECTION_START}\ntable\n${SECTION_END}\n`);
  });
});
