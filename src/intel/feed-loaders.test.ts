import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsvFeed } from './feed-csv.js';
import { FeedFormatError } from './feed-format.js';
import { parseJsonFeed } from './feed-json.js';
import { parseMispEvents } from './feed-misp.js';
import { parseStixBundle, stixPatternValues } from './feed-stix.js';
import { parseTextFeed } from './feed-text.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const JSON_FIELDS = { value: 'value', type: 'type', threatType: 'threat_type', confidence: 'confidence', tags: 'tags', firstSeen: 'first_seen', lastSeen: 'last_seen', expiresAt: 'expires_at' };

describe('plain text feeds', () => {
  it('reads one value per line, skipping comments and trailing notes', () => {
    const doc = parseTextFeed('# Example blocklist\n; licence: CC0\n\n198.51.100.7\n  evil.example   # phishing\r\n// old\n203.0.113.0/24 ; x\n');
    expect(doc.entries).toEqual([{ value: '198.51.100.7' }, { value: 'evil.example' }, { value: '203.0.113.0/24' }]);
  });
});

describe('CSV feeds', () => {
  it('maps named columns, with quotes, comments and CRLF', () => {
    const text = '# feed v1\r\nindicator,kind,category,score,labels,expires\r\n"198.51.100.7",ip,scanner,90,"ssh;bruteforce",2027-01-01T00:00:00Z\r\n"http://x.example/a,b",url,"phish ""kit""",0.5,,\r\n,domain,,,,\r\n';
    const doc = parseCsvFeed(text, {
      delimiter: ',',
      header: true,
      columns: { value: 'indicator', type: 'kind', threatType: 'category', confidence: 'score', tags: 'labels', expiresAt: 'expires' },
    });
    expect(doc.entries).toEqual([
      { value: '198.51.100.7', threatType: 'scanner', confidence: 90, tags: ['ssh', 'bruteforce'], expiresAt: Date.parse('2027-01-01T00:00:00Z') },
      { value: 'http://x.example/a,b', type: 'url', threatType: 'phish "kit"', confidence: 50 },
    ]);
    expect(doc.unsupported).toBe(1);
  });

  it('maps column indexes without a header; refuses a mapping the feed cannot satisfy', () => {
    const doc = parseCsvFeed('evil.example;phishing\nbad.example;malware', { delimiter: ';', header: false, columns: { value: 0, threatType: 1 } });
    expect(doc.entries).toEqual([
      { value: 'evil.example', threatType: 'phishing' },
      { value: 'bad.example', threatType: 'malware' },
    ]);
    expect(() => parseCsvFeed('a,b\n1,2', { delimiter: ',', header: true, columns: { value: 'indicator' } })).toThrow(FeedFormatError);
    expect(() => parseCsvFeed('"unterminated\n', { delimiter: ',', header: false, columns: { value: 0 } })).toThrow(/never closes/);
  });
});

describe('JSON feeds', () => {
  it('reads an array of strings and records, or records under itemsPath', () => {
    const doc = parseJsonFeed(
      JSON.stringify({
        data: {
          items: [
            '198.51.100.7',
            { value: 'evil.example', type: 'hostname', threat_type: 'c2', confidence: 'high', tags: 'a, b', first_seen: 1_700_000_000 },
            { indicator: 'd41d8cd98f00b204e9800998ecf8427e' },
            { nothing: 1 },
            42,
          ],
        },
      }),
      { itemsPath: 'data.items', fields: JSON_FIELDS },
    );
    expect(doc.entries).toEqual([
      { value: '198.51.100.7' },
      { value: 'evil.example', type: 'domain', threatType: 'c2', confidence: 85, tags: ['a', 'b'], firstSeen: 1_700_000_000_000 },
      { value: 'd41d8cd98f00b204e9800998ecf8427e' },
    ]);
    expect(doc.unsupported).toBe(2);
  });

  it('reads NDJSON; a broken document is an error, not an empty feed', () => {
    expect(parseJsonFeed('{"value":"a.example"}\n{"value":"b.example"}\n', { itemsPath: '', fields: JSON_FIELDS }).entries).toHaveLength(2);
    expect(() => parseJsonFeed('{"value": ', { itemsPath: '', fields: JSON_FIELDS })).toThrow(FeedFormatError);
    expect(() => parseJsonFeed('{"value": "x"}', { itemsPath: '', fields: JSON_FIELDS })).toThrow(/expected an array/);
    expect(() => parseJsonFeed('{"a": 1}', { itemsPath: 'items', fields: JSON_FIELDS })).toThrow(/no array at "items"/);
  });
});

describe('STIX 2.1 bundles', () => {
  it('takes the value comparisons of plain patterns only', () => {
    expect(stixPatternValues("[ipv4-addr:value = '1.2.3.4' OR domain-name:value = 'it''s.example']")).toBeDefined();
    expect(stixPatternValues("[url:value = 'http://a.example/\\'q']")).toEqual([{ type: 'url', value: "http://a.example/'q" }]);
    expect(stixPatternValues("[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']")).toBeUndefined();
    expect(stixPatternValues("[file:name = 'a.exe']")).toBeUndefined();
    expect(stixPatternValues("[ipv4-addr:value = '1.2.3.4'] WITHIN 600 SECONDS")).toBeUndefined();
    expect(stixPatternValues("[domain-name:value LIKE '%.example']")).toBeUndefined();
    expect(stixPatternValues("[ipv4-addr:value != '1.2.3.4']")).toBeUndefined();
    expect(stixPatternValues("[file:hashes.'SHA-256' = 'aa'] OR [ipv4-addr:value ISSUBSET '198.51.100.0/24']")).toEqual([
      { type: 'sha256', value: 'aa' },
      { type: undefined, value: '198.51.100.0/24' },
    ]);
    // A literal that looks like a comparison is a value, not a comparison.
    expect(stixPatternValues("[url:value = 'x AND domain-name:value = y']")).toEqual([{ type: 'url', value: 'x AND domain-name:value = y' }]);
  });

  it('reads the indicators of a bundle with their metadata, skipping revoked, non-STIX and compound ones', () => {
    const doc = parseStixBundle(testdata('stix-bundle.json'));
    expect(doc.entries).toEqual([
      {
        value: '198.51.100.23',
        threatType: 'malicious-activity',
        confidence: 85,
        tags: ['c2', 'apt', 'malware:Poison Ivy'],
        firstSeen: Date.parse('2026-10-02T09:12:00Z'),
        lastSeen: Date.parse('2026-10-03T10:00:00Z'),
        expiresAt: Date.parse('2027-04-02T09:12:00Z'),
      },
      expect.objectContaining({ value: '203.0.113.0/24', confidence: 85 }),
      expect.objectContaining({ value: 'update-check.example', type: 'domain', threatType: 'compromised', confidence: 70 }),
      expect.objectContaining({ value: 'http://files.update-check.example/payload.bin', type: 'url' }),
      expect.objectContaining({ value: 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f', type: 'sha256', confidence: 90 }),
      expect.objectContaining({ value: '3c0d2d2b8d5b0b6f1c4b8d2a7e9f0a11', type: 'md5' }),
      expect.objectContaining({ value: '2001:db8:bad::/48', threatType: 'anomalous-activity' }),
    ]);
    expect(doc.unsupported).toBe(3);
    expect(doc.notes.join('\n')).toMatch(/revoked/);
    expect(() => parseStixBundle('{"type": "indicator"}')).toThrow(FeedFormatError);
    expect(() => parseStixBundle('not json')).toThrow(FeedFormatError);
  });
});

describe('MISP events', () => {
  it('reads attributes of the event and its objects flagged to_ids, with event tags and threat level', () => {
    const doc = parseMispEvents(testdata('misp-event.json'), { onlyToIds: true });
    expect(doc.entries.map((e) => [e.type, e.value])).toEqual([
      [undefined, '198.51.100.77'],
      ['domain', 'secure-login.example'],
      [undefined, '203.0.113.45'],
      ['url', 'https://secure-login.example/invoice.php?id=42'],
      ['email', 'billing@secure-login.example'],
      ['sha256', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
      ['md5', '098f6bcd4621d373cade4e832627b4f6'],
    ]);
    expect(doc.entries[1]).toMatchObject({
      confidence: 90,
      tags: ['tlp:amber', 'misp-galaxy:threat-actor="TA505"', 'event:Phishing campaign against finance', 'kill-chain:delivery', 'category:Network activity'],
      firstSeen: Date.parse('2026-10-05'),
      lastSeen: 1791187200_000,
    });
    expect(doc.unsupported).toBe(2);
    expect(parseMispEvents(testdata('misp-event.json'), { onlyToIds: false }).entries).toHaveLength(8);
  });

  it('reads restSearch answers and refuses what is not MISP', () => {
    const event = JSON.parse(testdata('misp-event.json')) as unknown;
    expect(parseMispEvents(JSON.stringify({ response: [event, event] }), { onlyToIds: true }).entries).toHaveLength(14);
    expect(parseMispEvents(JSON.stringify({ response: { Attribute: [{ type: 'domain', value: 'x.example', to_ids: true }] } }), { onlyToIds: true }).entries).toEqual([
      { value: 'x.example', type: 'domain' },
    ]);
    expect(() => parseMispEvents('{"hello": 1}', { onlyToIds: true })).toThrow(FeedFormatError);
  });
});
