import { describe, expect, it } from 'vitest';
import { embedCode } from '../../../src/ui/app/embed-code';
import { parseRoute } from '../../../src/ui/app/route';

describe('embed code (issue 12)', () => {
  it('is an iframe of the embed address, with a title and a 16:9 size', () => {
    expect(embedCode('https://lab.example/ftp/#z=old&t=1', 'z=q1Zk-_&t=12.5', 'FTP Lab')).toBe(
      '<iframe src="https://lab.example/ftp/#/embed/z=q1Zk-_&amp;t=12.5" title="FTP Lab" ' +
        'width="960" height="540" style="border:0;max-width:100%" loading="lazy"></iframe>',
    );
  });

  it('escapes what would end the attribute, and the address still reads back', () => {
    const code = embedCode('http://127.0.0.1:5173/?a="<b>&c', 'z=x&t=0', 'Say "no" <here> & there');
    expect(code).toContain('src="http://127.0.0.1:5173/?a=&quot;&lt;b>&amp;c#/embed/z=x&amp;t=0"');
    expect(code).toContain('title="Say &quot;no&quot; &lt;here> &amp; there"');
    const src = /src="([^"]*)"/
      .exec(code)![1]!
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&amp;/g, '&');
    expect(parseRoute(new URL(src).hash)).toEqual({ page: 'embed', hash: 'z=x&t=0' });
  });
});
