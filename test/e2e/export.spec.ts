import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './page';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { encodeState } from '../../src/ui/app/url-state';

/** Active mode behind a stateful client firewall: the server's data SYNs are dropped. */
const FAILING = `/#${encodeState({
  scenario: { ...networkPreset('client-stateful')!.apply(defaultScenario()), mode: 'active' },
  t: 0,
})}`;

/** Clicks a format in the open export menu and reads the file the browser was offered. */
async function download(page: Page, label: string, path: string) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: new RegExp(`^${label}`) }).click(),
  ]);
  await file.saveAs(path);
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

/** The SVG read as XML by the browser (a parse error is a document of its own), and what it holds. */
async function parseSvg(page: Page, text: string) {
  const svg = await page.evaluate((source) => {
    const doc = new DOMParser().parseFromString(source, 'image/svg+xml');
    const root = doc.documentElement;
    return {
      errors: doc.getElementsByTagName('parsererror').length,
      root: root.tagName,
      viewBox: root.getAttribute('viewBox'),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent ?? ''),
      styleElements: doc.querySelectorAll('style').length,
      shaftStyle: doc.querySelector('.ladder-shaft')?.getAttribute('style') ?? null,
      playheads: doc.querySelectorAll('.ladder-now').length,
    };
  }, text);
  expect(svg.errors).toBe(0);
  expect(svg.root).toBe('svg');
  return svg;
}

test('the ladder and the network view download as SVG, PNG, Mermaid and PlantUML', async ({
  page,
}, testInfo) => {
  await page.goto(FAILING);
  await page.getByRole('tab', { name: 'Transcript and capture' }).click();
  const toggle = page.getByRole('button', { name: 'Export diagram' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const menu = page.getByRole('list', { name: 'Export formats' });
  await expect(menu.getByRole('button')).toHaveCount(5);

  const { violations } = await new AxeBuilder({ page })
    .include('[data-view="inspector"]')
    .analyze();
  expect(violations).toEqual([]);
  await page.locator('[data-view="inspector"]').screenshot({
    path: 'test-results/export-menu.png',
  });

  const status = page.getByTestId('export-status');
  const ladderSvg = await download(page, 'Ladder as SVG', testInfo.outputPath('ladder.svg'));
  expect(ladderSvg.name).toBe('ftp-lab-active-ladder.svg');
  const ladder = await parseSvg(page, ladderSvg.bytes.toString('utf8'));
  const labels = ladder.texts;
  expect(labels).toContainEqual(expect.stringMatching(/^PORT 192,0,2,10,\d+,\d+$/));
  expect(labels).toContain('425 Failed to establish connection.');
  expect(labels).toContain('rule 3');
  // Styles travel with the file: colours are inlined, the page's stylesheet is not needed.
  expect(ladder.styleElements).toBe(0);
  expect(ladder.shaftStyle).toMatch(/stroke:\s*rgb/);
  expect(ladder.playheads).toBe(0);
  await expect(status).toHaveText('Saved ftp-lab-active-ladder.svg.');

  const png = await download(page, 'Ladder as PNG', 'test-results/export-ladder.png');
  expect(png.name).toBe('ftp-lab-active-ladder.png');
  expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = png.bytes.readUInt32BE(16);
  const height = png.bytes.readUInt32BE(20);
  const viewBox = ladder.viewBox!.split(' ').map(Number);
  expect(width).toBe(Math.round(viewBox[2]! * 2));
  expect(height).toBe(Math.round(viewBox[3]! * 2));
  expect(height).toBeGreaterThan(width);
  await expect(status).toHaveText(`Saved ftp-lab-active-ladder.png (${width} × ${height} px).`);

  const mermaid = await download(page, 'Ladder as Mermaid', testInfo.outputPath('ladder.mmd'));
  expect(mermaid.name).toBe('ftp-lab-active-ladder.mmd');
  const mermaidText = mermaid.bytes.toString('utf8');
  expect(mermaidText.startsWith('sequenceDiagram\n')).toBe(true);
  expect(mermaidText).toContain('  server-xclient_router: SYN 20 → ');
  expect(mermaidText).toContain('  Note over client_router: DROP · client firewall rule 3\n');

  const plantUml = await download(page, 'Ladder as PlantUML', testInfo.outputPath('ladder.puml'));
  expect(plantUml.name).toBe('ftp-lab-active-ladder.puml');
  const plantUmlText = plantUml.bytes.toString('utf8');
  expect(plantUmlText.startsWith('@startuml\n')).toBe(true);
  expect(plantUmlText.endsWith('@enduml\n')).toBe(true);
  expect(plantUmlText).toMatch(/^client -> server : PORT 192,0,2,10,\d+,\d+$/m);

  const networkSvg = await download(page, 'Network view as SVG', testInfo.outputPath('net.svg'));
  expect(networkSvg.name).toBe('ftp-lab-active-network.svg');
  const network = await parseSvg(page, networkSvg.bytes.toString('utf8'));
  const networkText = network.texts.join(' ');
  expect(networkText).toContain('Client firewall');
  expect(networkText).toContain('198.51.100.20');

  // Escape closes the menu and gives the focus back to its button.
  await menu.getByRole('button').first().focus();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(toggle).toBeFocused();
});

test('a real capture exports its ladder too: the example capture as Mermaid and PNG', async ({
  page,
}, testInfo) => {
  await page.goto('/#/recording');
  await page.getByRole('button', { name: 'the example capture' }).click();
  const stage = page.getByRole('region', { name: 'The captured session on the stage' });
  await stage.getByRole('button', { name: 'Export diagram' }).click();

  const mermaid = await download(page, 'Ladder as Mermaid', testInfo.outputPath('capture.mmd'));
  expect(mermaid.name).toBe('ftp-lab-capture-ladder.mmd');
  const text = mermaid.bytes.toString('utf8');
  expect(text.startsWith('sequenceDiagram\n  title Captured#58; ')).toBe(true);
  expect(text).toMatch(/^ {2}client->>server: PORT \d+,\d+,\d+,\d+,\d+,\d+$/m);
  expect(text).toMatch(/^ {2}server->>client: 425 /m);

  const png = await download(page, 'Ladder as PNG', testInfo.outputPath('capture.png'));
  expect([...png.bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  expect(png.bytes.readUInt32BE(16)).toBeGreaterThan(1000);
});
