import { describe, expect, it } from 'vitest';
import { dropOutcome } from '$features/planning/fileDrop';

describe('a file dropped on the plan view', () => {
  it('shows the drop target while a file is over the window and hides it when it leaves', () => {
    expect(dropOutcome({ type: 'enter', x: 1, y: 2 })).toEqual({ dropping: true, path: null, ignored: [] });
    expect(dropOutcome({ type: 'over', x: 1, y: 2 }).dropping).toBe(true);
    expect(dropOutcome({ type: 'leave' })).toEqual({ dropping: false, path: null, ignored: [] });
  });

  it('imports the first file dropped and names the others', () => {
    expect(dropOutcome({ type: 'drop', paths: ['/tmp/a.csv', '/tmp/b.csv'], x: 0, y: 0 })).toEqual({
      dropping: false,
      path: '/tmp/a.csv',
      ignored: ['/tmp/b.csv'],
    });
    expect(dropOutcome({ type: 'drop', paths: [], x: 0, y: 0 }).path).toBeNull();
  });
});
