import { describe, expect, it } from 'vitest';
import { clientErrorOf } from '../../src/lab/lab';
import { namespacesFor } from '../../src/lab/netns';
import { routerRuleset, ruleToNft } from '../../src/lab/nft';
import { curlArgs, lftpScript, vsftpdConfig } from '../../src/lab/programs';
import { addressingFor } from '../../src/scenario/addresses';
import { routerConfigs } from '../../src/scenario/addresses';
import { defaultScenario, NETWORK_PRESETS } from '../../src/scenario/presets';

// What the lab hands the kernel, checked without root: the nftables text for each firewall, curl's
// flags for each mode, and how a client's error words become an error kind.

describe('firewall rules as nftables', () => {
  it('writes direction, ports, flags, states and each REJECT kind', () => {
    expect(
      ruleToNft(
        {
          name: 'x',
          direction: 'inbound',
          protocol: 'tcp',
          dstPort: { from: 1024, to: 65535 },
          tcpFlags: 'syn',
          action: 'DROP',
        },
        false,
      ),
    ).toBe(
      'iifname "wan" meta l4proto tcp tcp dport 1024-65535 tcp flags & (syn | ack | rst | fin) == syn drop',
    );
    expect(
      ruleToNft(
        { name: 'x', direction: 'outbound', state: ['ESTABLISHED', 'RELATED'], action: 'ACCEPT' },
        true,
      ),
    ).toBe('iifname "lan" ct state { established, related } accept');
    expect(ruleToNft({ name: 'x', action: 'REJECT', rejectWith: 'tcp-reset' }, true)).toBe(
      'meta l4proto tcp reject with tcp reset',
    );
    expect(ruleToNft({ name: 'x', action: 'REJECT' }, true)).toBe(
      'reject with icmp type port-unreachable',
    );
    expect(
      ruleToNft({ name: 'x', action: 'REJECT', rejectWith: 'icmp-admin-prohibited' }, true),
    ).toBe('reject with icmp type admin-prohibited');
  });

  it('leaves out a state rule on a stateless firewall, where the simulation never matches it', () => {
    expect(ruleToNft({ name: 'x', state: ['NEW'], action: 'ACCEPT' }, false)).toBeNull();
  });

  it('assigns the FTP helper to port 21, and NATs as the scenario says', () => {
    const scenario = NETWORK_PRESETS.find((p) => p.id === 'server-nat-helper')!.apply(
      defaultScenario(),
    );
    const text = routerRuleset(routerConfigs(scenario).server);
    expect(text).toContain('ct helper ftp21 { type "ftp" protocol tcp; l3proto ip; }');
    expect(text).toContain('tcp dport 21 ct helper set "ftp21"');
    expect(text).toContain('iifname "wan" ip daddr 198.51.100.20 tcp dport 21 dnat to 10.0.0.20');
    expect(text).toContain('tcp dport 40000-40099 dnat to 10.0.0.20');
    expect(text).toContain('oifname "wan" ip saddr 10.0.0.0/24 masquerade');
  });

  it('numbers every rule of every preset, in order, and keeps the policy', () => {
    for (const preset of NETWORK_PRESETS) {
      const scenario = preset.apply(defaultScenario());
      for (const router of Object.values(routerConfigs(scenario))) {
        const text = routerRuleset(router);
        const rules = router.firewall?.rules ?? [];
        const positions = rules.map((_, i) => text.indexOf(`rule ${i + 1}`));
        expect(positions.every((p, i) => p > (positions[i - 1] ?? -1))).toBe(true);
        expect(text).toContain(`policy ${router.firewall?.policy === 'DROP' ? 'drop' : 'accept'};`);
      }
    }
  });
});

describe('vsftpd configuration', () => {
  const config = (activeSourcePort: number) => {
    const base = defaultScenario();
    const scenario = { ...base, server: { ...base.server, activeSourcePort } };
    const network = {
      tag: 't',
      ns: namespacesFor('t'),
      links: [],
      addressing: addressingFor(scenario),
    };
    const timeouts = { replySeconds: 5, clientSeconds: 10 };
    return vsftpdConfig(scenario, network, { root: '/r', empty: '/e' }, timeouts).split('\n');
  };
  it('connects from port 20, or from the port the scenario names', () => {
    expect(config(20)).toEqual(
      expect.arrayContaining(['connect_from_port_20=YES', 'ftp_data_port=20']),
    );
    expect(config(2020)).toContain('ftp_data_port=2020');
  });
  it('leaves an ephemeral source port (0) to the kernel instead of writing ftp_data_port=0', () => {
    expect(config(0)).toContain('connect_from_port_20=NO');
    expect(config(0).some((line) => line.startsWith('ftp_data_port'))).toBe(false);
  });
});

describe('curl for each mode', () => {
  const flags = (mode: 'active' | 'passive' | 'eprt' | 'epsv') =>
    curlArgs({ ...defaultScenario(), mode }, '198.51.100.20', 30);
  it('uses PORT, EPRT, PASV or EPSV as asked', () => {
    expect(flags('active')).toEqual(expect.arrayContaining(['--ftp-port', '-', '--disable-eprt']));
    expect(flags('eprt')).not.toContain('--disable-eprt');
    expect(flags('passive')).toContain('--disable-epsv');
    expect(flags('epsv')).not.toContain('--ftp-port');
    expect(flags('epsv')).toEqual(
      expect.arrayContaining(['ftp://198.51.100.20/', 'ftp://198.51.100.20/notes.txt']),
    );
  });
});

describe('lftp for each mode', () => {
  const script = (mode: 'active' | 'passive' | 'epsv') =>
    lftpScript({ ...defaultScenario(), mode }, '198.51.100.20', '/tmp/up.txt', 10);
  it('sets the mode, stops at the first failure and runs each command', () => {
    expect(script('active')).toContain('set ftp:passive-mode off');
    expect(script('passive')).toContain('set ftp:passive-mode on; set ftp:prefer-epsv no');
    expect(script('epsv')).toContain('set ftp:prefer-epsv yes');
    expect(script('active')).toContain('set cmd:fail-exit yes');
    expect(script('active')).toMatch(
      /open -u anonymous,secret 198\.51\.100\.20; ls > \/dev\/null; cat notes\.txt > \/dev\/null$/,
    );
  });
});

describe('client error kinds', () => {
  it.each([
    ['connect ECONNREFUSED 198.51.100.20:40001', 'refused'],
    ['connect EHOSTUNREACH 198.51.100.20:40001', 'no-route'],
    ['connect ETIMEDOUT 10.0.0.20:40081', 'timeout'],
    ['* connect to 198.51.100.20 port 40078 failed: Connection refused', 'refused'],
    ['* connect to 198.51.100.20 port 40078 failed: No route to host', 'no-route'],
    ['425 Failed to establish connection.', null],
  ])('%s → %s', (text, kind) => expect(clientErrorOf(text)).toBe(kind));
});
