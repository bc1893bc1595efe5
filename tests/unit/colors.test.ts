/**
 * The console's switch-role palette. Expected values are the ones AWS re:Post listed in August 2024
 * (red F2B0A9, orange FBC8AA, yellow EFDA95, green B7CA9D, blue 83D4E8); the console no longer accepts
 * the earlier orange FBBF93, yellow FAD791 and blue 99BCE3.
 */
import { colorName, currentColor, defaultColor, parseColor } from '../../shared/domain/colors';
import { parseEnvironmentRequest } from '../../shared/domain/request';
import { parseSlackCommand } from '../../shared/domain/slack-command';

describe('parseColor', () => {
  it.each([
    ['red', 'F2B0A9'],
    ['orange', 'FBC8AA'],
    ['yellow', 'EFDA95'],
    ['green', 'B7CA9D'],
    ['blue', '83D4E8'],
    ['Yellow', 'EFDA95'],
    [' BLUE ', '83D4E8'],
  ])('turns the name %j into the current hex %s', (input, hex) => {
    expect(parseColor(input)).toBe(hex);
  });

  it.each([
    ['F2B0A9', 'F2B0A9'],
    ['FBC8AA', 'FBC8AA'],
    ['EFDA95', 'EFDA95'],
    ['B7CA9D', 'B7CA9D'],
    ['83D4E8', '83D4E8'],
    ['#efda95', 'EFDA95'],
    ['83d4e8', '83D4E8'],
  ])('keeps the current hex %j as %s', (input, hex) => {
    expect(parseColor(input)).toBe(hex);
  });

  it.each([
    ['FBBF93', 'FBC8AA'],
    ['FAD791', 'EFDA95'],
    ['99BCE3', '83D4E8'],
    ['#fad791', 'EFDA95'],
    ['fbbf93', 'FBC8AA'],
    ['#99bce3', '83D4E8'],
  ])('maps the earlier hex %j to the current %s', (input, hex) => {
    expect(parseColor(input)).toBe(hex);
  });

  it.each(['purple', '#123456', 'FAD79', 'FAD7911', '##FAD791', '', 'constructor', '__proto__'])('refuses %j', (input) => {
    expect(parseColor(input)).toBeUndefined();
  });
});

describe('currentColor', () => {
  it.each([
    ['FBBF93', 'FBC8AA'],
    ['FAD791', 'EFDA95'],
    ['99BCE3', '83D4E8'],
    ['F2B0A9', 'F2B0A9'],
    ['B7CA9D', 'B7CA9D'],
    ['EFDA95', 'EFDA95'],
  ])('shows a recorded %s as %s', (stored, shown) => {
    expect(currentColor(stored)).toBe(shown);
  });

  it('leaves a value outside every palette as it is', () => {
    expect(currentColor('123456')).toBe('123456');
  });
});

describe('colorName', () => {
  it.each([
    ['F2B0A9', 'red'],
    ['FBC8AA', 'orange'],
    ['EFDA95', 'yellow'],
    ['B7CA9D', 'green'],
    ['83D4E8', 'blue'],
    ['FAD791', 'yellow'],
    ['FBBF93', 'orange'],
    ['99BCE3', 'blue'],
  ])('names %s %s', (hex, name) => {
    expect(colorName(hex)).toBe(name);
  });
});

describe('defaultColor', () => {
  it.each([
    ['Production', 'Workloads', 'F2B0A9'],
    ['Staging', 'Workloads', 'EFDA95'],
    ['Playground Ana', 'Sandbox', 'B7CA9D'],
    ['analytics', 'Workloads', '83D4E8'],
  ])('gives %j in %j the current %s', (name, ou, hex) => {
    expect(defaultColor(name, ou)).toBe(hex);
  });
});

describe('every way a colour comes in', () => {
  const defaults = { emailTemplate: 'admin+{slug}@example.com' };

  it.each([
    ['FAD791', 'EFDA95'],
    ['FBBF93', 'FBC8AA'],
    ['99BCE3', '83D4E8'],
  ])('a request body (API, webhook, event) with color %s records %s', (color, hex) => {
    expect(parseEnvironmentRequest({ name: 'Staging', ou: 'Workloads/Staging', color }, defaults).color).toBe(hex);
  });

  it('a Slack /env create with color=FAD791 records EFDA95', () => {
    const command = parseSlackCommand('create Staging ou=Workloads/Staging color=FAD791');
    if (command.kind !== 'create') throw new Error(`not a create: ${JSON.stringify(command)}`);
    expect(command.body.color).toBe('FAD791');
    expect(parseEnvironmentRequest(command.body, defaults).color).toBe('EFDA95');
  });

  it('names the current hexes when a colour is refused', () => {
    let message = '';
    try {
      parseEnvironmentRequest({ name: 'Staging', ou: 'Workloads/Staging', color: 'purple' }, defaults);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('red, orange, yellow, green, blue');
    expect(message).toContain('F2B0A9, FBC8AA, EFDA95, B7CA9D, 83D4E8');
    expect(message).not.toMatch(/FBBF93|FAD791|99BCE3/);
  });
});
