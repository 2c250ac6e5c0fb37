import { run } from '../../src/cli/sim';
import { expect, noAxeViolations, test, type Page } from './page';

/**
 * The three switches `npm run sim` had and the sandbox lacked (issue 13): the TCP stack, the
 * ports a server router forwards, and what a REJECT answers with. Each is flipped as a learner
 * would, and the page must then say what the CLI says for the same network.
 */

interface SimJson {
  outcome: 'success' | 'failure';
  /** The paragraph the sandbox shows under "Why?". */
  explanation: string;
  dataConnections: { result: string; synCount: number; decidedBy: { reason: string } | null }[];
}

/** What `npm run sim -- <argv> --json` prints, run in this process. */
function sim(argv: string[]): SimJson {
  let out = '';
  run([...argv, '--json'], {
    stdout: (text) => (out += text),
    stderr: () => {},
    readFile: () => {
      throw new Error('no files here');
    },
  });
  return JSON.parse(out) as SimJson;
}

const outcomeOf = (page: Page) => page.getByRole('region', { name: 'Outcome' });

/** The verdict's first word, as the CLI's outcome.result names it. */
function verdictWord(result: SimJson['outcome']): string {
  return result === 'success' ? 'Works' : 'Fails';
}

async function openWhy(page: Page): Promise<void> {
  const why = outcomeOf(page).getByText('Why?');
  await why.click();
}

test('the TCP stack: the textbook stack retries a dropped SYN fewer times than Linux', async ({
  page,
}) => {
  // The sandbox opens on the CLI's client-stateful preset in active mode.
  const linux = sim(['--preset', 'client-stateful', '--mode', 'active']);
  const textbook = sim(['--preset', 'client-stateful', '--mode', 'active', '--tcp', 'rfc6298']);
  expect(textbook.dataConnections[0]!.synCount).toBeLessThan(linux.dataConnections[0]!.synCount);

  await page.goto('/');
  const outcome = outcomeOf(page);
  const stack = page.getByRole('combobox', { name: 'TCP stack of both hosts' });
  await expect(stack).toHaveValue('linux');
  await openWhy(page);
  await expect(outcome).toContainText(`sent the SYN ${linux.dataConnections[0]!.synCount} times`);
  await stack.focus();
  await page.keyboard.press('ArrowDown');
  await expect(stack).toHaveValue('rfc6298');
  await expect(outcome).toContainText(
    `sent the SYN ${textbook.dataConnections[0]!.synCount} times`,
  );
  await expect(outcome.getByRole('heading')).toContainText(verdictWord(textbook.outcome));
  await expect(outcome).toContainText(textbook.explanation);
  await page.screenshot({ path: 'test-results/screenshots/switches-tcp-rfc6298.png' });

  await expectSharedLinkKeeps(page, stack, 'rfc6298');
});

test('Server behind NAT: forwarding port 21 only leaves the passive data connection outside', async ({
  page,
}) => {
  const flags = ['--client-fw', 'stateful', '--server-nat', '--server-advertise', 'public'];
  const both = sim([...flags, '--mode', 'passive']);
  const only21 = sim([...flags, '--mode', 'passive', '--server-nat-forward', '21']);
  expect(both.outcome).toBe('success');
  expect(only21.outcome).toBe('failure');

  await page.goto('/');
  const outcome = outcomeOf(page);
  const forward = page.getByRole('combobox', { name: 'Ports the server router forwards' });
  // It refines "Server behind NAT" and works only while that is ticked.
  await expect(forward).toBeDisabled();
  await page.getByRole('radio', { name: 'Passive (PASV)' }).check();
  await page.getByRole('checkbox', { name: 'Server behind NAT' }).check();
  await page.getByRole('combobox', { name: 'Server advertises in 227' }).selectOption('public');
  await expect(forward).toBeEnabled();
  await expect(forward).toHaveValue('21+passive');
  await expect(outcome.getByRole('heading')).toContainText(verdictWord(both.outcome));

  await forward.selectOption('21');
  await expect(outcome.getByRole('heading')).toContainText(verdictWord(only21.outcome));
  // The same cause as the CLI names: nothing forwards the passive port.
  await openWhy(page);
  await expect(outcome).toContainText(only21.explanation);
  expect(only21.explanation).toContain('no port forward');
  await page.screenshot({ path: 'test-results/screenshots/switches-nat-forward-21.png' });
  await noAxeViolations(page, '[data-view="switchboard"]');

  await expectSharedLinkKeeps(page, forward, '21');
});

test('What a REJECT answers with: a TCP reset or an ICMP message, as the CLI sends it', async ({
  page,
}) => {
  const base = ['--preset', 'client-stateful', '--mode', 'active'];
  for (const kind of ['tcp-reset', 'icmp-port-unreachable', 'icmp-admin-prohibited']) {
    const rejected = sim([...base, '--reject-with', kind]);
    expect(rejected.dataConnections[0]!.result, kind).toBe('rejected');
  }

  await page.goto('/');
  const answer = page.getByRole('combobox', { name: 'A rejected packet is answered with' });
  await expect(answer).toBeDisabled();
  await page.getByRole('checkbox', { name: 'Reject instead of drop' }).check();
  await expect(answer).toBeEnabled();
  await expect(answer).toHaveValue('icmp-port-unreachable');
  const ladder = page.locator('[data-view="ladder"]');
  await expect(ladder).toContainText('port unreachable');

  await answer.selectOption('tcp-reset');
  await expect(ladder).toContainText('RST');
  await expect(ladder).not.toContainText('port unreachable');
  // Every REJECT rule now says so, as sim --reject-with writes them.
  await page.getByText('Edit client firewall rules').click();
  const editor = page.getByRole('group', { name: 'Client firewall rules' });
  await editor.getByRole('button', { name: 'Edit rule 3' }).click();
  await expect(editor.getByRole('combobox', { name: 'Reject with' })).toHaveValue('tcp-reset');
  // The preset is still the preset: the answer is a switch of its own.
  await expect(page.getByRole('combobox', { name: 'Client firewall' })).toHaveValue('stateful');
  await page.getByText('Edit client firewall rules').click();

  await answer.selectOption('icmp-admin-prohibited');
  await expect(ladder).toContainText('administratively prohibited');
  await page.screenshot({ path: 'test-results/screenshots/switches-reject-admin-prohibited.png' });

  // Dropping again disables the answer; rejecting again starts from the default.
  await page.getByRole('checkbox', { name: 'Reject instead of drop' }).uncheck();
  await expect(answer).toBeDisabled();
  await page.getByRole('checkbox', { name: 'Reject instead of drop' }).check();
  await expect(answer).toHaveValue('icmp-port-unreachable');
  await answer.selectOption('tcp-reset');

  await expectSharedLinkKeeps(page, answer, 'tcp-reset');
});

/** Share copies a link; opened in another tab, the switch is as it was flipped. */
async function expectSharedLinkKeeps(
  page: Page,
  control: ReturnType<Page['getByRole']>,
  value: string,
): Promise<void> {
  const context = page.context();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Link copied' })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const other = await context.newPage();
  await other.goto(link);
  const name = await control.getAttribute('data-control');
  await expect(other.locator(`[data-control="${name}"]`)).toHaveValue(value);
  await other.close();
}
