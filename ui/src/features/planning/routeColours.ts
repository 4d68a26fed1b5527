// One colour per route, shared by the map, the route list and the timeline, so a driver reads
// the same everywhere. Ten hues far apart on the wheel and dark enough for white numbers on
// them; a plan with more routes than that repeats them (the number and the driver's name still
// tell routes apart). Grey is kept for the unassigned.
export const ROUTE_COLOURS: readonly string[] = [
  '#1f6fd1', // blue
  '#d9480f', // orange
  '#2b8a3e', // green
  '#9c36b5', // purple
  '#c2255c', // raspberry
  '#0b7285', // teal
  '#a06a00', // ochre
  '#5c4fd6', // indigo
  '#5c7c1a', // olive
  '#b02a2a', // red
];

export const UNASSIGNED_COLOUR = '#8a94a3';

/** The colour of a plan's route number `index` (its position in the plan's route list). */
export function routeColour(index: number): string {
  return ROUTE_COLOURS[((index % ROUTE_COLOURS.length) + ROUTE_COLOURS.length) % ROUTE_COLOURS.length]!;
}
