/**
 * A duration as people read it, in its two largest units: `45 s`, `40 min 0 s`, `3 h 0 min`,
 * `2 d 1 h`. Each form is rounded to its smaller unit (10,798 s is `3 h 0 min`); the sign is the
 * caller's to say in words (ahead, behind, late).
 */
export function humanDuration(seconds: number): string {
  const total = Math.abs(Math.round(seconds));
  if (total < 60) return `${total} s`;
  if (total < 3600) return `${Math.floor(total / 60)} min ${total % 60} s`;
  const minutes = Math.round(total / 60);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  const hours = Math.round(total / 3600);
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
