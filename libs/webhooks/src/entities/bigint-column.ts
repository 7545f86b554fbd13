/** A BIGINT read as a number (the driver gives a string): places in a line stay far below 2^53. */
export const BIGINT_AS_NUMBER = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
