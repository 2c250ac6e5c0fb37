import type { TraceIndex } from '../../scenario/queries';
import {
  advance,
  PLAYBACK,
  skipNotice,
  step,
  stepForward,
  stopAnnouncement,
  type Advance,
} from './playback';
import { playbackKeyAction, type PlaybackAction } from './playback-keys';

/** Where the time shown and the playing flag live: the transport's own state, or a component's props. */
export interface PlayheadState {
  t: number;
  playing: boolean;
}

/**
 * Playing one trace: the time shown, whether it is moving, the speed, and the clock that moves it
 * (an animation frame at a time, skipping long silences and holding on every drop; with reduced
 * motion one step per beat). A page makes one, calls `attach()` while its component starts, and
 * hands `t`, `playing` and the callbacks to the Player; the keymap is `onKey`. The sandbox, the
 * lessons and the Real session page all play through it.
 */
export class Transport {
  speed = $state(1);
  /** Pause at every drop, reject or refusal playback reaches. */
  pauseAtStops = $state(false);
  /** "waiting… 16 s skipped", while the quiet stretch just skipped is fresh. */
  skipped = $state<string | null>(null);
  /** The live region's sentence for the latest stop playback reached. */
  stopSpoken = $state('');

  private readonly playhead: PlayheadState;

  /**
   * `playhead` keeps t and playing where a component already holds them (the Visualizer's
   * bindable props); without it the transport holds its own.
   */
  constructor(
    private readonly index: () => TraceIndex,
    /** Read at every frame, so flipping the system setting mid-play changes the pace at once. */
    private readonly reducedMotion: () => boolean,
    private readonly onEnded?: () => void,
    playhead?: PlayheadState,
  ) {
    this.playhead = playhead ?? ownPlayhead();
  }

  get t(): number {
    return this.playhead.t;
  }
  set t(value: number) {
    this.playhead.t = value;
  }
  get playing(): boolean {
    return this.playhead.playing;
  }
  set playing(value: boolean) {
    this.playhead.playing = value;
  }

  /** Starts the clock's effects; call once while the owning component initialises. */
  attach(): void {
    $effect(() => {
      if (!this.playing) return;
      return this.run();
    });
    $effect(() => {
      if (!this.skipped) return;
      const timer = setTimeout(() => (this.skipped = null), PLAYBACK.skipNoticeWallMs);
      return () => clearTimeout(timer);
    });
  }

  /** A new trace: shown from `at` (a shared link's moment), paused. */
  reset(at = 0): void {
    this.t = at;
    this.playing = false;
    this.skipped = null;
    this.stopSpoken = '';
  }

  private run(): () => void {
    const index = this.index();
    let frame = 0;
    let last = performance.now();
    let sinceStep = 0;
    let hold = 0;
    const moved = (next: Pick<Advance, 't' | 'skipped' | 'stoppedAt' | 'ended'>) => {
      this.t = next.t;
      if (next.skipped) this.skipped = skipNotice(next.skipped);
      if (next.stoppedAt !== null) {
        this.stopSpoken = stopAnnouncement(index, next.stoppedAt);
        if (this.pauseAtStops) this.playing = false;
      }
      if (next.ended) {
        this.playing = false;
        this.onEnded?.();
      }
    };
    const tick = (now: number) => {
      const wall = now - last;
      last = now;
      if (this.reducedMotion()) {
        sinceStep += wall;
        if (sinceStep >= 700 / this.speed) {
          sinceStep = 0;
          moved(stepForward(index, this.t));
        }
      } else {
        const next = advance(index, this.t, wall, this.speed, hold);
        hold = next.hold;
        moved(next);
      }
      if (this.playing) frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }

  seek = (to: number): void => {
    this.playing = false;
    this.skipped = null;
    this.t = Math.max(0, Math.min(this.index().end, to));
  };

  toggle = (): void => {
    if (!this.playing && this.t >= this.index().end) this.t = 0;
    this.playing = !this.playing;
  };

  stepBy = (direction: 1 | -1): void => {
    this.playing = false;
    this.skipped = null;
    this.t = step(this.index(), this.t, direction);
    if (direction === 1 && this.t >= this.index().end) this.onEnded?.();
  };

  do(action: PlaybackAction): void {
    if (action === 'toggle') this.toggle();
    else if (action === 'next') this.stepBy(1);
    else if (action === 'previous') this.stepBy(-1);
    else if (action === 'start') this.seek(0);
    else this.seek(this.index().end);
  }

  /** The page's keydown handler: the one playback keymap. */
  onKey = (event: KeyboardEvent): void => {
    const action = playbackKeyAction(event);
    if (!action) return;
    event.preventDefault();
    this.do(action);
  };
}

function ownPlayhead(): PlayheadState {
  const playhead = $state({ t: 0, playing: false });
  return playhead;
}
