// The HTML drill report opens in headless Chromium (Debian package `chromium`) and shows the
// timeline: the screenshot exists, is far from blank, and has the colours of ok operations,
// the fault band and the leader lane.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { checkHistory } from '../../chaos/checker/index.js';
import { parseScenario } from '../../chaos/drills/parse.js';
import { renderDrillHtml } from '../../chaos/report/html.js';
import { runDrill } from '../../chaos/runner/run-drill.js';
import { DRILL_MEMBERS, fakeCluster, memoryStore } from '../support/drill-fakes.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) =>
  existsSync(path),
);

/** RGB(A) pixels of an 8-bit non-interlaced PNG, enough to count what the page shows. */
function decodePng(png: Buffer): {
  width: number;
  height: number;
  pixel: (x: number, y: number) => number;
} {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, 'bit depth 8');
      channels = body[9] === 6 ? 4 : body[9] === 2 ? 3 : 0;
      assert.ok(channels > 0, `colour type ${body[9]}`);
    } else if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const left = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const up = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      const paeth = () => {
        const estimate = left + up - upLeft;
        const [a, b, c] = [
          Math.abs(estimate - left),
          Math.abs(estimate - up),
          Math.abs(estimate - upLeft),
        ];
        return a <= b && a <= c ? left : b <= c ? up : upLeft;
      };
      const predictor = [0, left, up, Math.floor((left + up) / 2), paeth()][filter ?? 0] ?? 0;
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => {
      const at = y * stride + x * channels;
      return ((pixels[at] ?? 0) << 16) | ((pixels[at + 1] ?? 0) << 8) | (pixels[at + 2] ?? 0);
    },
  };
}

function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} failed: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe(
  'the HTML drill report in headless Chromium',
  { skip: CHROMIUM === undefined && 'needs the chromium package' },
  () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'quorumctl-drill-html-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test(
      'the screenshot shows the verdict, the fault band, the leader lane and operations',
      { timeout: 90_000 },
      async () => {
        const cluster = fakeCluster();
        const { store } = memoryStore();
        const scenario = parseScenario(
          'name: kill-leader\ndescription: Kill the leader.\nkinds: [etcd]\ntarget: leader\nfault: kill\nduration: 600ms\nwarmup: 400ms\nsettle: 300ms\nworkload: {clients: 4, keys: 2, think: 5ms}\nexpectations: {leaderChange: required, maxTimeToNewLeader: 2s}\n',
          'kill-leader.yaml',
        );
        const { report, history } = await runDrill(
          {
            scenario,
            target: {
              cluster: 'sandbox-t',
              kind: 'etcd',
              sandbox: 't',
              members: DRILL_MEMBERS.map((name) => ({ name, aliases: [] })),
            },
            electionTimeout: { ms: 100, source: 'test' },
            run: 'html',
            seed: 3,
            pollIntervalMs: 20,
          },
          {
            adapter: cluster.adapter,
            leaderProbe: cluster.leaderProbe,
            injector: cluster.injector,
            store,
            check: checkHistory,
          },
        );
        assert.equal(report.verdict, 'PASS', report.reasons.join('; '));
        const page = join(dir, 'drill.html');
        const screenshot = join(dir, 'drill.png');
        await writeFile(page, renderDrillHtml(report, history));
        await run(
          CHROMIUM ?? 'chromium',
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--no-first-run',
            '--disable-component-update',
            '--disable-sync',
            `--user-data-dir=${join(dir, 'profile')}`,
            `--screenshot=${screenshot}`,
            '--window-size=1280,800',
            `file://${page}`,
          ],
          60_000,
        );
        const size = (await stat(screenshot)).size;
        assert.ok(size > 30_000, `a ${size}-byte screenshot is close to blank`);
        const image = decodePng(await readFile(screenshot));
        assert.equal(image.width, 1280);
        const colours = new Set<number>();
        for (let y = 0; y < image.height; y += 2)
          for (let x = 0; x < image.width; x += 2) colours.add(image.pixel(x, y));
        assert.ok(colours.size > 50, `only ${colours.size} distinct colours`);
        assert.ok(colours.has(0x3a9d4f), 'green bars of ok operations');
        assert.ok(colours.has(0x2e8b57), 'the PASS badge');
        assert.ok(colours.has(0x4e79a7) || colours.has(0x9c755f), 'the leader lane');
      },
    );
  },
);
