import type { ChartTransition, Statechart } from '../scenario/statecharts';
import { triggerWordList } from './statechart-labels';
import type { ChartLayout, EdgeLayout, Point, StateBox } from './statechart-layout';

/**
 * The TCP socket's statechart in the shape of RFC 9293's figure 5 ("TCP Connection State
 * Diagram"): opening at the top, ESTABLISHED in the middle, the two ways of closing below, and
 * CLOSED drawn a second time at the bottom right, as the RFC does, so that closing arrows need not
 * climb back up. Arrows the RFC leaves out (RST and abort from the synchronized states) are drawn
 * only when one has just been taken. Returns null if the machine has a state the figure lacks.
 */

const BOX_W = 140;
const BOX_H = 34;

/** Centres, in px. Columns 100, 330, 580; rows about 110 apart. */
const CENTRES: Record<string, Point> = {
  CLOSED: { x: 330, y: 40 },
  LISTEN: { x: 330, y: 140 },
  SYN_RECEIVED: { x: 100, y: 250 },
  SYN_SENT: { x: 580, y: 250 },
  ESTABLISHED: { x: 330, y: 360 },
  FIN_WAIT_1: { x: 100, y: 470 },
  CLOSE_WAIT: { x: 580, y: 470 },
  FIN_WAIT_2: { x: 100, y: 580 },
  CLOSING: { x: 330, y: 580 },
  LAST_ACK: { x: 580, y: 580 },
  TIME_WAIT: { x: 330, y: 690 },
};
/** The second CLOSED, where the closing states end. */
const CLOSED_AGAIN: Point = { x: 580, y: 690 };

interface Route {
  points: Point[];
  label: {
    x: number;
    y: number;
    anchor: 'start' | 'middle' | 'end';
    perLine?: number;
    /** Break "timeout: SYN again" after its colon. */
    splitAtColon?: boolean;
  };
}

const p = (x: number, y: number): Point => ({ x, y });

/** Each arrow's path and where its words go, by `${source}->${target}`. */
const ROUTES: Record<string, Route> = {
  'CLOSED->LISTEN': { points: [p(310, 57), p(310, 123)], label: { x: 302, y: 95, anchor: 'end' } },
  'LISTEN->CLOSED': {
    points: [p(350, 123), p(350, 57)],
    label: { x: 358, y: 95, anchor: 'start' },
  },
  'CLOSED->SYN_SENT': {
    points: [p(400, 46), p(540, 46), p(540, 233)],
    label: { x: 532, y: 150, anchor: 'end' },
  },
  'SYN_SENT->CLOSED': {
    points: [p(630, 233), p(630, 32), p(400, 32)],
    label: { x: 638, y: 130, anchor: 'start', perLine: 2 },
  },
  'LISTEN->SYN_RECEIVED': {
    points: [p(290, 157), p(290, 242), p(170, 242)],
    label: { x: 282, y: 182, anchor: 'end' },
  },
  'SYN_SENT->SYN_RECEIVED': {
    points: [p(510, 260), p(170, 260)],
    label: { x: 400, y: 277, anchor: 'middle' },
  },
  'SYN_RECEIVED->CLOSED': {
    points: [p(50, 233), p(50, 40), p(260, 40)],
    label: { x: 58, y: 90, anchor: 'start', perLine: 2 },
  },
  'SYN_RECEIVED->SYN_RECEIVED': {
    points: [p(85, 233), p(85, 212), p(115, 212), p(115, 233)],
    label: { x: 124, y: 208, anchor: 'start' },
  },
  'SYN_SENT->SYN_SENT': {
    points: [p(650, 242), p(672, 242), p(672, 260), p(650, 260)],
    label: { x: 680, y: 240, anchor: 'start', perLine: 1, splitAtColon: true },
  },
  'SYN_RECEIVED->ESTABLISHED': {
    points: [p(130, 267), p(130, 350), p(260, 350)],
    label: { x: 138, y: 330, anchor: 'start' },
  },
  'SYN_SENT->ESTABLISHED': {
    points: [p(550, 267), p(550, 350), p(400, 350)],
    label: { x: 542, y: 330, anchor: 'end' },
  },
  'SYN_RECEIVED->FIN_WAIT_1': {
    points: [p(50, 267), p(50, 453)],
    label: { x: 42, y: 370, anchor: 'end' },
  },
  'ESTABLISHED->FIN_WAIT_1': {
    points: [p(300, 377), p(300, 462), p(170, 462)],
    label: { x: 292, y: 425, anchor: 'end' },
  },
  'ESTABLISHED->CLOSE_WAIT': {
    points: [p(360, 377), p(360, 462), p(510, 462)],
    label: { x: 368, y: 425, anchor: 'start' },
  },
  'FIN_WAIT_1->FIN_WAIT_2': {
    points: [p(70, 487), p(70, 563)],
    label: { x: 62, y: 530, anchor: 'end' },
  },
  'FIN_WAIT_1->CLOSING': {
    points: [p(130, 487), p(130, 520), p(310, 520), p(310, 563)],
    label: { x: 220, y: 514, anchor: 'middle' },
  },
  'FIN_WAIT_1->TIME_WAIT': {
    points: [p(170, 478), p(210, 478), p(210, 680), p(260, 680)],
    label: { x: 218, y: 640, anchor: 'start', perLine: 2 },
  },
  'FIN_WAIT_2->TIME_WAIT': {
    points: [p(100, 597), p(100, 700), p(260, 700)],
    label: { x: 108, y: 640, anchor: 'start' },
  },
  'CLOSING->TIME_WAIT': {
    points: [p(350, 597), p(350, 673)],
    label: { x: 358, y: 640, anchor: 'start' },
  },
  'CLOSE_WAIT->LAST_ACK': {
    points: [p(580, 487), p(580, 563)],
    label: { x: 588, y: 530, anchor: 'start' },
  },
  'LAST_ACK->CLOSED': {
    points: [p(580, 597), p(580, 673)],
    label: { x: 588, y: 640, anchor: 'start' },
  },
  'TIME_WAIT->CLOSED': {
    points: [p(400, 690), p(510, 690)],
    label: { x: 455, y: 682, anchor: 'middle', perLine: 1 },
  },
};

/** RFC 9293 §3.10.7.4: any synchronized state goes to CLOSED on RST; ABORT and ICMP errors too. */
function isMinor(transition: ChartTransition): boolean {
  return transition.triggers.every(
    (t) =>
      t.guard === 'isReset' ||
      t.guard === 'isResetAcceptableInSynSent' ||
      t.event === 'ABORT' ||
      t.event === 'ICMP_UNREACHABLE',
  );
}

/** Where the segment from a box's centre towards `to` leaves the box. */
function border(centre: Point, to: Point): Point {
  const dx = to.x - centre.x;
  const dy = to.y - centre.y;
  const scale = Math.min(
    dx === 0 ? Infinity : BOX_W / 2 / Math.abs(dx),
    dy === 0 ? Infinity : BOX_H / 2 / Math.abs(dy),
  );
  return { x: Math.round(centre.x + dx * scale), y: Math.round(centre.y + dy * scale) };
}

function chunk(words: string[], size: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += size) lines.push(words.slice(i, i + size).join(' · '));
  return lines;
}

export function tcpFigure(chart: Statechart): ChartLayout | null {
  if (chart.states.some((s) => !(s.id in CENTRES))) return null;
  const box = (key: string, state: string, centre: Point): StateBox => ({
    key,
    state,
    name: state,
    kind: 'state',
    x: centre.x - BOX_W / 2,
    y: centre.y - BOX_H / 2,
    width: BOX_W,
    height: BOX_H,
    initial: key === 'CLOSED' ? 'top' : null,
    entry: null,
  });
  const boxes = chart.states.map((s) => box(s.id, s.id, CENTRES[s.id]!));
  boxes.push(box('CLOSED#2', 'CLOSED', CLOSED_AGAIN));

  const edges = chart.transitions.map((t): EdgeLayout => {
    const route = ROUTES[t.id];
    const words = triggerWordList(t);
    if (route) {
      return {
        key: t.id,
        transition: t.id,
        points: route.points,
        label: {
          x: route.label.x,
          y: route.label.y,
          anchor: route.label.anchor,
          lines: chunk(words, route.label.perLine ?? 3).flatMap((line) =>
            route.label.splitAtColon ? line.split(/(?<=:) /) : [line],
          ),
        },
        minor: false,
      };
    }
    // Not in the RFC's figure: a straight arrow, to the nearer CLOSED for the closing states.
    const from = CENTRES[t.source] ?? CENTRES.CLOSED!;
    const late = t.target === 'CLOSED' && from.y > CENTRES.ESTABLISHED!.y - 1;
    const to = late ? CLOSED_AGAIN : (CENTRES[t.target] ?? CENTRES.CLOSED!);
    const a = border(from, to);
    const b = border(to, from);
    return {
      key: t.id,
      transition: t.id,
      points: [a, b],
      label: {
        x: Math.round((a.x + b.x) / 2) + 6,
        y: Math.round((a.y + b.y) / 2) - 4,
        anchor: 'start',
        lines: chunk(words, 3),
      },
      minor: isMinor(t),
    };
  });
  return {
    machine: chart.machine,
    width: 0,
    height: 0,
    boxes,
    edges,
    notes: [
      'As in RFC 9293 figure 5, the arrows to CLOSED on RST or abort from the synchronized states are drawn only when one has just been taken.',
    ],
  };
}
