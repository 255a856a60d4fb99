import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { dashboardLayout, layoutMode, PANEL_IDS, type Rect } from '../../core/dashboard/layout.js';
import { fitTable } from '../../dashboards/tui/text-table.js';
import { INITIAL_VIEW, reduceView, type ViewContext } from '../../dashboards/tui/view-state.js';

function overlaps(a: Rect, b: Rect): boolean {
  return (
    a.left < b.left + b.width &&
    b.left < a.left + a.width &&
    a.top < b.top + b.height &&
    b.top < a.top + a.height
  );
}

describe('dashboard layout', () => {
  it('breakpoints: full at 120x40, compact at 80x24, a message below 60x15', () => {
    assert.equal(layoutMode(120, 40), 'full');
    assert.equal(layoutMode(119, 40), 'medium');
    assert.equal(layoutMode(100, 30), 'medium');
    assert.equal(layoutMode(80, 24), 'compact');
    assert.equal(layoutMode(59, 24), 'too-small');
    assert.deepEqual(Object.keys(dashboardLayout(80, 24).panels).sort(), [
      'clusters',
      'keys',
      'log',
      'members',
    ]);
    assert.deepEqual(Object.keys(dashboardLayout(120, 40).panels).sort(), [...PANEL_IDS].sort());
    assert.deepEqual(Object.keys(dashboardLayout(40, 10).panels), ['keys']);
  });

  it('compact mode sizes the tables to their rows and leaves the log at least 5 lines', () => {
    const layout = dashboardLayout(80, 24, { clusterCount: 2, memberCount: 3 });
    assert.equal(layout.panels.clusters?.height, 5);
    assert.equal(layout.panels.members?.height, 6);
    assert.ok((layout.panels.log?.height ?? 0) >= 5);
  });

  it('panels tile the screen: inside it, never overlapping, at every size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 300 }),
        fc.integer({ min: 8, max: 120 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        (columns, rows, clusterCount, memberCount) => {
          const layout = dashboardLayout(columns, rows, { clusterCount, memberCount });
          const rects = Object.values(layout.panels);
          for (const rect of rects) {
            assert.ok(rect.width >= 1 && rect.height >= 1, JSON.stringify(rect));
            assert.ok(rect.left >= 0 && rect.top >= 0);
            assert.ok(rect.left + rect.width <= columns, `${JSON.stringify(rect)} in ${columns}`);
            assert.ok(rect.top + rect.height <= rows, `${JSON.stringify(rect)} in ${rows}`);
          }
          for (let i = 0; i < rects.length; i += 1)
            for (let j = i + 1; j < rects.length; j += 1)
              assert.ok(!overlaps(rects[i] as Rect, rects[j] as Rect), JSON.stringify(layout));
          // Bordered panels keep at least one line of content.
          for (const [id, rect] of Object.entries(layout.panels))
            if (id !== 'keys') assert.ok(rect.height >= 3, `${id} ${JSON.stringify(rect)}`);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('table fitting', () => {
  it('every line is exactly the panel width; the flexible column is cut first', () => {
    const table = fitTable(
      ['NAME', 'ROLE', 'WORST'],
      [
        ['n1', 'leader', 'a very long finding that cannot fit in the panel at all'],
        ['n2', 'follower', '-'],
      ],
      { width: 30, height: 5 },
    );
    assert.equal(table.header.length, 30);
    for (const row of table.rows) assert.equal(row.line.length, 30);
    assert.match(table.rows[0]?.line ?? '', /^n1 {3}leader {3}a very long fin~$/);
  });

  it('keeps the selected row visible when the rows do not fit', () => {
    const rows = Array.from({ length: 10 }, (_, index) => [`c${index}`]);
    const table = fitTable(['NAME'], rows, { width: 10, height: 4 }, { selected: 7 });
    assert.deepEqual(
      table.rows.map((row) => row.index),
      [5, 6, 7],
    );
    const top = fitTable(['NAME'], rows, { width: 10, height: 4 }, { selected: 0 });
    assert.deepEqual(
      top.rows.map((row) => row.index),
      [0, 1, 2],
    );
  });
});

describe('view state', () => {
  const context: ViewContext = { clusterCount: 3, memberIds: ['a', 'b'], logLength: 20 };

  it('arrows move within the focused panel, tab moves between panels', () => {
    let view = reduceView(INITIAL_VIEW, 'down', context);
    view = reduceView(view, 'down', context);
    view = reduceView(view, 'down', context);
    assert.equal(view.clusterIndex, 2);
    view = reduceView(view, 'next-panel', context);
    assert.equal(view.focus, 'members');
    view = reduceView(view, 'down', context);
    assert.equal(view.memberIndex, 1);
    view = reduceView(view, 'next-panel', context);
    assert.equal(view.focus, 'log');
    view = reduceView(view, 'up', context);
    assert.equal(view.logScroll, 1);
    view = reduceView(view, 'previous-panel', context);
    assert.equal(view.focus, 'members');
  });

  it('enter focuses a member and opens its detail; esc leaves it; ? toggles help', () => {
    let view = reduceView(INITIAL_VIEW, 'enter', context);
    assert.equal(view.focus, 'members');
    view = reduceView(view, 'down', context);
    view = reduceView(view, 'enter', context);
    assert.deepEqual([view.focusedMemberId, view.overlay], ['b', 'member']);
    view = reduceView(view, 'escape', context);
    assert.deepEqual([view.focusedMemberId, view.overlay], [undefined, 'none']);
    view = reduceView(view, 'help', context);
    assert.equal(view.overlay, 'help');
    view = reduceView(view, 'down', context);
    assert.equal(view.overlay, 'none');
  });

  it('another cluster drops the member focus', () => {
    let view = reduceView(INITIAL_VIEW, 'enter', context);
    view = reduceView(view, 'enter', context);
    view = reduceView(view, 'escape', context);
    view = { ...view, focusedMemberId: 'a', focus: 'clusters' };
    view = reduceView(view, 'down', context);
    assert.equal(view.focusedMemberId, undefined);
    assert.equal(view.clusterIndex, 1);
  });
});
