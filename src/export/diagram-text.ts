import type { NodeId } from '../scenario/trace';
import { PARTICIPANT_IDS, type DiagramStep, type LadderDiagram } from './diagram';
import { wrapText } from './transcript';

/** Notes longer than this are broken into lines with the syntax's own line break. */
const NOTE_COLUMNS = 80;

/**
 * A ladder diagram (diagram.ts) as Mermaid `sequenceDiagram` text and as PlantUML `@startuml`
 * text, for people who keep sequence diagrams next to their documentation. Every statement is
 * one line; labels are escaped so that what a server sent can never end a statement, start a
 * comment or turn into markup.
 */

/** Numeric character codes, written `#59;` in Mermaid and `&#59;` in PlantUML. */
function code(c: string): number {
  return c.codePointAt(0)!;
}

/**
 * Mermaid: `;` ends a statement, `#` starts a character code, `%%` a comment anywhere on a line,
 * `:` splits a message from its text (and a raw one lets Mermaid's style pre-pass rewrite a line
 * that mentions "style"), and `<`, `>`, `&` and `"` would reach the renderer's HTML.
 */
const MERMAID_SPECIAL = /[#;:%<>&"]/g;

export function escapeMermaid(text: string): string {
  return text.replace(MERMAID_SPECIAL, (c) => `#${code(c)};`);
}

/**
 * PlantUML reads `\n` as a line break (`\\` is a backslash), `&...;` and `<...>` as entities and
 * tags, `[[` as a link, `"` as the end of a quoted name, `~` as its escape, and doubled `*`, `/`,
 * `-`, `_` and `=` as Creole markup: those are written as character entities. Checked with
 * PlantUML 1.2020 (Debian's package): `&#92;` for a backslash makes it fail.
 */
const PLANTUML_SPECIAL = /[&<>[\]"~]|([*/\-_=])(?=\1)/g;

export function escapePlantUml(text: string): string {
  return text.replace(PLANTUML_SPECIAL, (c) => `&#${code(c)};`).replace(/\\/g, '\\\\');
}

/** A note's text, escaped line by line and joined with the syntax's line break. */
function noteText(text: string, escape: (line: string) => string, lineBreak: string): string {
  return wrapText(text, NOTE_COLUMNS).map(escape).join(lineBreak);
}

function mermaidStep(step: DiagramStep, id: Record<NodeId, string>): string {
  if (step.kind === 'note')
    return `  Note over ${step.over.map((n) => id[n]).join(',')}: ${noteText(step.text, escapeMermaid, '<br/>')}`;
  const arrow = step.lost ? '-x' : '->>';
  return `  ${id[step.from]}${arrow}${id[step.to]}: ${escapeMermaid(step.label)}`;
}

export function toMermaid(diagram: LadderDiagram): string {
  const lines = ['sequenceDiagram'];
  if (diagram.title) lines.push(`  title ${escapeMermaid(diagram.title)}`);
  for (const p of diagram.participants)
    lines.push(`  participant ${p.id} as ${escapeMermaid(p.name)}`);
  for (const step of diagram.steps) lines.push(mermaidStep(step, PARTICIPANT_IDS));
  return `${lines.join('\n')}\n`;
}

function plantUmlStep(step: DiagramStep, id: Record<NodeId, string>): string {
  if (step.kind === 'note')
    return `note over ${step.over.map((n) => id[n]).join(', ')} : ${noteText(step.text, escapePlantUml, '\\n')}`;
  const arrow = step.lost ? '->x' : '->';
  return `${id[step.from]} ${arrow} ${id[step.to]} : ${escapePlantUml(step.label)}`;
}

export function toPlantUml(diagram: LadderDiagram): string {
  const lines = ['@startuml'];
  if (diagram.title) lines.push(`title ${escapePlantUml(diagram.title)}`);
  for (const p of diagram.participants)
    lines.push(`participant "${escapePlantUml(p.name)}" as ${p.id}`);
  for (const step of diagram.steps) lines.push(plantUmlStep(step, PARTICIPANT_IDS));
  lines.push('@enduml');
  return `${lines.join('\n')}\n`;
}
