import { describe, expect, it } from 'vitest';
import { lessonHref, parseRoute } from '../../../src/ui/app/route';

describe('routes', () => {
  it('keep share links on the sandbox', () => {
    expect(parseRoute('')).toEqual({ page: 'sandbox', hash: '' });
    expect(parseRoute('#s=abc&t=3')).toEqual({ page: 'sandbox', hash: 's=abc&t=3' });
    expect(parseRoute('#/sandbox')).toEqual({ page: 'sandbox', hash: '' });
  });

  it('read the course, lesson, presenter and notes pages', () => {
    expect(parseRoute('#/lessons')).toEqual({ page: 'course' });
    expect(parseRoute('#/')).toEqual({ page: 'course' });
    expect(parseRoute('#/lesson/active-mode/3')).toEqual({
      page: 'lesson',
      lessonId: 'active-mode',
      step: 2,
    });
    expect(parseRoute('#/lesson/active-mode')).toEqual({
      page: 'lesson',
      lessonId: 'active-mode',
      step: 0,
    });
    expect(parseRoute('#/present/nat/1')).toEqual({ page: 'present', lessonId: 'nat', step: 0 });
    expect(parseRoute('#/notes/nat/2')).toEqual({ page: 'notes', lessonId: 'nat', step: 1 });
  });

  it('read the replay of a recorded session', () => {
    expect(parseRoute('#/recording')).toEqual({ page: 'recording' });
    expect(parseRoute('#/recording/')).toEqual({ page: 'recording' });
    expect(parseRoute('#/recording/x').page).toBe('unknown');
  });

  it('call anything else unknown rather than guessing', () => {
    for (const hash of [
      '#/lesson/x/0',
      '#/lesson/x/two',
      '#/lesson/x/1.5',
      '#/lesson',
      '#/teacher/x/1',
      '#/lesson/x/1/extra',
    ])
      expect(parseRoute(hash).page, hash).toBe('unknown');
  });

  it('write links that read back as the same page', () => {
    const href = lessonHref('present', 'drop vs/reject', 4);
    expect(href).toBe('#/present/drop%20vs%2Freject/5');
    expect(parseRoute(href)).toEqual({ page: 'present', lessonId: 'drop vs/reject', step: 4 });
  });
});
