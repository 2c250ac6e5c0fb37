import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXIT, run as runSim, type CliIo } from '../../src/cli/sim';
import {
  ladderDiagram,
  PARTICIPANT_IDS,
  simulationDiagram,
  type LadderDiagram,
} from '../../src/export/diagram';
import {
  escapeMermaid,
  escapePlantUml,
  toMermaid,
  toPlantUml,
} from '../../src/export/diagram-text';
import { encodeControlText } from '../../src/protocol/control-text';
import { ICMP_CODES, type Packet } from '../../src/protocol/tcp';
import { defaultScenario, networkPreset } from '../../src/scenario/presets';
import { simulate } from '../../src/scenario/simulate';
import { NODE_ORDER, type NodeId, type TraceEvent } from '../../src/scenario/trace';
import type { Scenario } from '../../src/scenario/types';

function run(presetId: string, mode: Scenario['mode']) {
  return simulate({ ...networkPreset(presetId)!.apply(defaultScenario()), mode });
}

const activeOk = run('no-firewall', 'active');
const activeDropped = run('client-stateful', 'active');
const activeRejected = run('client-stateful-reject', 'active');
const activeNat = run('client-nat-helper', 'active');

const IDS = new Set(Object.values(PARTICIPANT_IDS));
const ID = `(${[...IDS].join('|')})`;

/**
 * The checks every Mermaid text must pass: one header, participants declared before any
 * statement names them, each statement one of the four shapes, and no character in a label that
 * Mermaid's lexer would act on (`;`, `#`, `%`, `:`, `<`, `>`, `&`, `"`) other than its own
 * character codes and, in notes, the `<br/>` this writer puts there.
 */
function checkMermaid(text: string): void {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('sequenceDiagram');
  const declared = new Set<string>();
  const cleanLabel = (label: string, inNote: boolean) => {
    const bare = (inNote ? label.replaceAll('<br/>', '') : label).replace(/#\d+;/g, '');
    expect(bare).not.toMatch(/[;#%:<>&"]/);
  };
  for (const line of lines.slice(1)) {
    // eslint-disable-next-line no-control-regex -- no control character may reach the text
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    let m: RegExpExecArray | null;
    if ((m = /^ {2}title (.*)$/.exec(line))) cleanLabel(m[1]!, false);
    else if ((m = new RegExp(`^ {2}participant ${ID} as (.+)$`).exec(line))) {
      expect(declared.has(m[1]!)).toBe(false);
      declared.add(m[1]!);
      cleanLabel(m[2]!, false);
    } else if ((m = new RegExp(`^ {2}${ID}(->>|-x)${ID}: (.+)$`).exec(line))) {
      expect(declared.has(m[1]!) && declared.has(m[3]!)).toBe(true);
      cleanLabel(m[4]!, false);
    } else if ((m = new RegExp(`^ {2}Note over ${ID}(?:,${ID})?: (.+)$`).exec(line))) {
      expect(declared.has(m[1]!)).toBe(true);
      if (m[2]) expect(declared.has(m[2])).toBe(true);
      cleanLabel(m[3]!, true);
    } else expect.fail(`not a statement this writer makes: ${JSON.stringify(line)}`);
  }
}

/**
 * The same for PlantUML: balanced @startuml/@enduml, participants declared first, and no
 * backslash but a doubled one (or, in notes, the `\n` line break), no entity start, tag, link,
 * quote or tilde, and no doubled Creole marker.
 */
function checkPlantUml(text: string): void {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('@startuml');
  expect(lines[lines.length - 1]).toBe('@enduml');
  expect(lines.filter((l) => l === '@startuml' || l === '@enduml')).toHaveLength(2);
  const declared = new Set<string>();
  const cleanLabel = (label: string, inNote: boolean) => {
    let bare = label.replace(/\\\\/g, '');
    if (inNote) bare = bare.replace(/\\n/g, '');
    bare = bare.replace(/&#\d+;/g, '');
    expect(bare).not.toMatch(/[\\&<>[\]"~]|\*\*|\/\/|--|__|==/);
  };
  for (const line of lines.slice(1, -1)) {
    // eslint-disable-next-line no-control-regex -- no control character may reach the text
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    let m: RegExpExecArray | null;
    if ((m = /^title (.*)$/.exec(line))) cleanLabel(m[1]!, false);
    else if ((m = new RegExp(`^participant "(.*)" as ${ID}$`).exec(line))) {
      expect(declared.has(m[2]!)).toBe(false);
      declared.add(m[2]!);
      cleanLabel(m[1]!, false);
    } else if ((m = new RegExp(`^${ID} (->|->x) ${ID} : (.+)$`).exec(line))) {
      expect(declared.has(m[1]!) && declared.has(m[3]!)).toBe(true);
      cleanLabel(m[4]!, false);
    } else if ((m = new RegExp(`^note over ${ID}(?:, ${ID})? : (.+)$`).exec(line))) {
      expect(declared.has(m[1]!)).toBe(true);
      if (m[2]) expect(declared.has(m[2])).toBe(true);
      cleanLabel(m[3]!, true);
    } else expect.fail(`not a statement this writer makes: ${JSON.stringify(line)}`);
  }
}

function messages(diagram: LadderDiagram) {
  return diagram.steps.filter((s) => s.kind === 'message');
}

describe('ladderDiagram of a simulated session', () => {
  it('declares the client, both routers and the server, in path order', () => {
    const diagram = simulationDiagram(activeDropped);
    expect(diagram.participants.map((p) => p.name)).toEqual([
      'client',
      'client firewall',
      'server router',
      'server',
    ]);
  });

  it('has one message per packet, FTP lines as sent, handshakes by flag and port', () => {
    const diagram = simulationDiagram(activeDropped);
    const sent = new Set(
      activeDropped.trace.flatMap((e) => (e.type === 'send' ? [e.packet.id] : [])),
    );
    expect(messages(diagram)).toHaveLength(sent.size);
    const labels = messages(diagram).map((m) => m.label);
    expect(labels[0]).toMatch(/^SYN \d+ → 21$/);
    expect(labels).toContainEqual(expect.stringMatching(/^PORT 192,0,2,10,\d+,\d+$/));
    expect(labels).toContain('425 Failed to establish connection.');
  });

  it('draws each dropped SYN as a lost message at the client firewall, with the rule', () => {
    const steps = simulationDiagram(activeDropped).steps;
    const lost = steps.flatMap((s, i) => (s.kind === 'message' && s.lost ? [i] : []));
    expect(lost.length).toBe(activeDropped.outcome.dataConnections[0]!.synCount);
    for (const i of lost) {
      expect(steps[i]).toMatchObject({ from: 'server', to: 'client-router' });
      expect(steps[i + 1]).toEqual(
        expect.objectContaining({
          kind: 'note',
          over: ['client-router'],
          text: 'DROP · client firewall rule 3',
        }),
      );
    }
  });

  it('shows a REJECT and the ICMP error that answered it', () => {
    const steps = simulationDiagram(activeRejected).steps;
    const at = steps.findIndex((s) => s.kind === 'message' && s.lost);
    expect(steps[at + 1]).toMatchObject({
      text: 'REJECT · client firewall rule 3 · answered with ICMP port unreachable',
    });
    expect(steps[at + 2]).toMatchObject({
      kind: 'message',
      from: 'client-router',
      to: 'server',
      label: 'ICMP port unreachable',
      lost: false,
    });
  });

  it("says in the trace's words why a packet without a firewall verdict was lost", () => {
    const steps = simulationDiagram(run('server-nat-private', 'passive')).steps;
    const at = steps.findIndex((s) => s.kind === 'message' && s.lost);
    expect(steps[at]).toMatchObject({ from: 'client', to: 'internet' });
    expect(steps[at + 1]).toMatchObject({
      over: ['internet'],
      text: expect.stringMatching(/^DROP · no route to 10\.0\.0\.20: it is a private address/),
    });
  });

  it("notes the FTP helper's rewrite of a PORT line under NAT", () => {
    const steps = simulationDiagram(activeNat).steps;
    const port = steps.findIndex(
      (s) => s.kind === 'message' && s.label.startsWith('PORT 192,168,'),
    );
    expect(steps[port + 1]).toMatchObject({
      kind: 'note',
      over: ['client-router'],
      text: expect.stringMatching(/^client firewall rewrote the line: PORT 203,0,113,10,\d+,\d+$/),
    });
  });

  it('ends with the outcome across the whole diagram', () => {
    const steps = simulationDiagram(activeDropped).steps;
    expect(steps[steps.length - 1]).toMatchObject({
      kind: 'note',
      over: ['client', 'server'],
      text: expect.stringMatching(/^FAILURE \(failed at LIST\): /),
    });
  });

  it('can leave out bare ACKs', () => {
    const all = messages(simulationDiagram(activeOk));
    const fewer = messages(simulationDiagram(activeOk, { hideBareAcks: true }));
    expect(fewer.length).toBeLessThan(all.length);
    expect(fewer.some((m) => /^ACK /.test(m.label))).toBe(false);
    expect(fewer.some((m) => m.label.startsWith('SYN-ACK'))).toBe(true);
  });
});

/**
 * The goldens read traces saved from the simulator (test/export/golden/*.trace.json: the events
 * a diagram reads, payloads in hex), so that a change to the simulation does not move them; the
 * tests above check the live simulation.
 */
function savedDiagram(name: string): LadderDiagram {
  const saved = JSON.parse(
    readFileSync(new URL(`golden/${name}.trace.json`, import.meta.url), 'utf8'),
  ) as {
    title: string;
    names: Partial<Record<NodeId, string>>;
    outcome: string;
    trace: TraceEvent[];
  };
  const revive = (p: Packet | undefined) => {
    if (p?.tcp)
      p.tcp.payload = Uint8Array.from(Buffer.from(p.tcp.payload as unknown as string, 'hex'));
  };
  for (const e of saved.trace) {
    if ('packet' in e) revive(e.packet);
    if (e.type === 'nat') [e.before, e.after].forEach(revive);
    if (e.type === 'reject') revive(e.response);
  }
  return ladderDiagram(saved.trace, saved);
}

describe('golden diagrams', () => {
  it('success, active mode with no firewall', async () => {
    const diagram = savedDiagram('active-success');
    await expect(toMermaid(diagram)).toMatchFileSnapshot('golden/active-success.mmd');
    await expect(toPlantUml(diagram)).toMatchFileSnapshot('golden/active-success.puml');
  });

  it('failure, active mode behind a stateful client firewall', async () => {
    const diagram = savedDiagram('active-dropped');
    await expect(toMermaid(diagram)).toMatchFileSnapshot('golden/active-dropped.mmd');
    await expect(toPlantUml(diagram)).toMatchFileSnapshot('golden/active-dropped.puml');
  });

  it('every preset and mode gives well-formed text', () => {
    for (const id of ['client-stateful-reject', 'server-nat-private', 'both-stateful-helper'])
      for (const mode of ['active', 'passive', 'eprt', 'epsv'] as const) {
        const diagram = simulationDiagram(run(id, mode));
        checkMermaid(toMermaid(diagram));
        checkPlantUml(toPlantUml(diagram));
      }
  });
});

describe('escaping', () => {
  const decodeMermaid = (s: string) =>
    s.replace(/#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
  const decodePlantUml = (s: string) =>
    s
      .replace(/\\\\/g, '\\')
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));

  it('writes what each syntax would act on as a character code', () => {
    expect(escapeMermaid('227 Entering Passive Mode (198,51,100,20,195,80); #1 50%% <b>')).toBe(
      '227 Entering Passive Mode (198,51,100,20,195,80)#59; #35;1 50#37;#37; #60;b#62;',
    );
    expect(escapePlantUml('a\\nb "q" **x** --y-- [[l]] ~ <b> & c-d')).toBe(
      'a\\\\nb &#34;q&#34; &#42;*x&#42;* &#45;-y&#45;- &#91;&#91;l&#93;&#93; &#126; &#60;b&#62; &#38; c-d',
    );
  });

  it('loses nothing: decoding the escaped text gives the text back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        expect(decodeMermaid(escapeMermaid(s))).toBe(s);
        expect(decodePlantUml(escapePlantUml(s))).toBe(s);
      }),
    );
  });
});

// Arbitrary traces: packets with any payload, flags and channel, sent from any node, hopping,
// delivered, dropped or rejected anywhere, in any order, with notes and NAT rewrites between.
const node = fc.constantFrom(...NODE_ORDER);
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('a;b#c:d%%e', 'x\r\ny\nz', '<br/>\\n**b** --s-- [[l]] "q" ~t~', '\u202e\u0000'),
);
const packet = (id: number) =>
  fc.record({
    id: fc.constant(id),
    src: fc.constantFrom('192.0.2.10', '198.51.100.20', '10.0.0.20'),
    dst: fc.constantFrom('192.0.2.10', '198.51.100.20', '10.0.0.20'),
    ttl: fc.constant(64),
    ipId: fc.nat(0xffff),
    channel: fc.constantFrom('control', 'data', 'other'),
    tcp: fc.option(
      fc.record({
        srcPort: fc.nat(65535),
        dstPort: fc.nat(65535),
        seq: fc.nat(5),
        ack: fc.nat(5),
        flags: fc.record({
          syn: fc.boolean(),
          ack: fc.boolean(),
          fin: fc.boolean(),
          rst: fc.boolean(),
          psh: fc.boolean(),
        }),
        window: fc.constant(65535),
        payload: fc.oneof(
          fc.uint8Array({ maxLength: 30 }),
          nasty.map((s) => encodeControlText(s.replace(/[\ud800-\udfff]/g, '?'))),
        ),
      }),
      { nil: undefined },
    ),
  }) as fc.Arbitrary<Packet>;

const icmpReply = (id: number): Packet => ({
  id,
  src: '192.0.2.1',
  dst: '198.51.100.20',
  ttl: 64,
  ipId: 1,
  channel: 'data',
  icmp: {
    type: 3,
    code: ICMP_CODES.portUnreachable,
    original: { src: '198.51.100.20', dst: '192.0.2.10', srcPort: 20, dstPort: 5000, seq: 0 },
  },
});

const traceEvent = (ids: number): fc.Arbitrary<TraceEvent> =>
  fc.integer({ min: 1, max: ids }).chain((id) =>
    fc
      .oneof(
        fc.record({ type: fc.constant('send'), node, packet: packet(id) }),
        fc.record({
          type: fc.constant('hop'),
          from: node,
          to: node,
          packet: packet(id),
          arriveAt: fc.nat(100),
        }),
        fc.record({
          type: fc.constant('deliver'),
          node,
          packet: packet(id),
          actor: fc.constant(null),
        }),
        fc.record({
          type: fc.constant('drop'),
          node,
          packet: packet(id),
          reason: nasty,
          verdict: fc.option(
            fc.record({
              action: fc.constant('DROP'),
              by: fc.constantFrom('rule', 'policy', 'no-firewall'),
              ruleNumber: fc.nat(9),
              ruleName: nasty,
            }),
            { nil: undefined },
          ),
        }),
        fc.record({
          type: fc.constant('reject'),
          node,
          packet: packet(id),
          reason: nasty,
          verdict: fc.record({
            action: fc.constant('REJECT'),
            by: fc.constantFrom('rule', 'policy'),
            ruleNumber: fc.nat(9),
          }),
          response: fc.constant(icmpReply(id + 1000)),
        }),
        fc.record({
          type: fc.constant('nat'),
          node,
          kind: fc.constantFrom('snat', 'dnat', 'alg'),
          before: packet(id),
          after: packet(id),
          detail: nasty,
        }),
        fc.record({ type: fc.constant('note'), node, text: nasty }),
      )
      .map((e) => ({ ...e, t: 0 }) as TraceEvent),
  );

const traces = fc
  .array(traceEvent(12), { maxLength: 60 })
  .map((events) => events.map((e, t) => ({ ...e, t })));
const names = fc.dictionary(node, nasty) as fc.Arbitrary<Partial<Record<NodeId, string>>>;

describe('any trace', () => {
  it('gives well-formed Mermaid and PlantUML, the same each time', () => {
    fc.assert(
      fc.property(
        traces,
        names,
        fc.option(nasty, { nil: undefined }),
        fc.option(nasty, { nil: undefined }),
        fc.boolean(),
        (trace, nodeNames, title, outcome, hideBareAcks) => {
          const options = { names: nodeNames, title, outcome, hideBareAcks };
          const diagram = ladderDiagram(trace, options);
          const mermaid = toMermaid(diagram);
          const plantUml = toPlantUml(diagram);
          checkMermaid(mermaid);
          checkPlantUml(plantUml);
          expect(toMermaid(ladderDiagram(trace, options))).toBe(mermaid);
          expect(toPlantUml(ladderDiagram(trace, options))).toBe(plantUml);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('npm run sim -- --diagram', () => {
  function sim(args: string[]) {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      readFile: (path) => readFileSync(path, 'utf8'),
    };
    return { code: runSim(args, io), stdout, stderr };
  }
  const failing = ['--preset', 'client-stateful', '--mode', 'active'];

  it('prints the Mermaid or PlantUML text of the session instead of the transcript', () => {
    const mermaid = sim([...failing, '--diagram', 'mermaid']);
    expect(mermaid.code).toBe(EXIT.ftpFailure);
    expect(mermaid.stdout).toBe(toMermaid(simulationDiagram(activeDropped)));
    expect(mermaid.stderr).toBe('');
    const plantUml = sim([...failing, '--diagram', 'plantuml']);
    expect(plantUml.stdout).toBe(toPlantUml(simulationDiagram(activeDropped)));
  });

  it('names the formats when given another, and refuses --json beside it', () => {
    const unknown = sim(['--diagram', 'svg']);
    expect(unknown.code).toBe(EXIT.badInput);
    expect(unknown.stderr).toMatch(/^error: --diagram: unknown value "svg".*mermaid, plantuml/);
    const both = sim(['--diagram', 'mermaid', '--json']);
    expect(both.code).toBe(EXIT.badInput);
    expect(both.stderr).toBe('error: --diagram: not together with --json\n');
  });
});
