export function SpaceTreemap() {
  return null;
}
