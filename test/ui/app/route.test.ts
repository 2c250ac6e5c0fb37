import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embedHref, lessonHref, parseRoute } from '../../../src/ui/app/route';

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

  it('read an embed address as the share link after "/embed/" (issue 12)', () => {
    expect(parseRoute('#/embed/z=q1Zk-_&t=12.5')).toEqual({
      page: 'embed',
      hash: 'z=q1Zk-_&t=12.5',
    });
    expect(parseRoute('#/embed/s=abc/def&t=0')).toEqual({ page: 'embed', hash: 's=abc/def&t=0' });
    expect(parseRoute('#/embed')).toEqual({ page: 'embed', hash: '' });
    expect(parseRoute('#/embed/')).toEqual({ page: 'embed', hash: '' });
    expect(parseRoute(embedHref('#z=abc&t=1'))).toEqual({ page: 'embed', hash: 'z=abc&t=1' });
    expect(parseRoute('#/embedded').page).toBe('unknown');
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

  it('call an address with a malformed %-escape unknown instead of throwing (issue 11 item 10)', () => {
    for (const hash of ['#/%', '#/lesson/caf%C3', '#/present/%E0%A4%A/1', '#/notes/x/%', '#/%zz'])
      expect(parseRoute(hash), hash).toEqual({ page: 'unknown', hash: hash.slice(1) });
    expect(parseRoute('#/lesson/caf%C3%A9/2')).toEqual({
      page: 'lesson',
      lessonId: 'café',
      step: 1,
    });
  });

  it('never throw, whatever the address', () => {
    const segment = fc.oneof(
      fc.string(),
      fc.constantFrom('%', '%C3', '%E0%A4%A', '%zz', '%%', 'lesson', 'present', '1'),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), fc.boolean(), (parts, slash) => {
        const hash = `#${slash ? '/' : ''}${parts.join('/')}`;
        expect(() => parseRoute(hash)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});
