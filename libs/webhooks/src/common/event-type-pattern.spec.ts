import { describe, expect, it } from 'vitest';
import { channelsAccept, filterAccepts, isValidEventTypePattern } from './event-type-pattern.js';

describe('filterAccepts', () => {
  it('lets every type through an endpoint without a filter', () => {
    expect(filterAccepts(null, 'order.completed')).toBe(true);
    expect(filterAccepts([], 'order.completed')).toBe(true);
  });

  it('matches exact names, hierarchical ones included', () => {
    expect(filterAccepts(['route.optimized.Example.673f48'], 'route.optimized.Example.673f48')).toBe(true);
    expect(filterAccepts(['order.completed'], 'order.completion')).toBe(false);
  });

  it('matches a trailing wildcard segment against the whole subtree, not the parent or a sibling prefix', () => {
    const filter = ['route.optimized.*'];
    expect(filterAccepts(filter, 'route.optimized.Example')).toBe(true);
    expect(filterAccepts(filter, 'route.optimized.Example.673f48')).toBe(true);
    expect(filterAccepts(filter, 'route.optimized')).toBe(false);
    expect(filterAccepts(filter, 'route.optimizedX.Example')).toBe(false);
  });
});

describe('isValidEventTypePattern', () => {
  it('accepts names and trailing wildcards only', () => {
    expect(isValidEventTypePattern('order.completed')).toBe(true);
    expect(isValidEventTypePattern('product.*')).toBe(true);
    expect(isValidEventTypePattern('*.completed')).toBe(false);
    expect(isValidEventTypePattern('product.*.x')).toBe(false);
    expect(isValidEventTypePattern('order..x')).toBe(false);
    expect(isValidEventTypePattern('order completed')).toBe(false);
  });
});

describe('channelsAccept', () => {
  it('lets an endpoint without channels hear everything, one with channels only those', () => {
    expect(channelsAccept(null, ['eu'])).toBe(true);
    expect(channelsAccept(['eu'], ['us', 'eu'])).toBe(true);
    expect(channelsAccept(['eu'], ['us'])).toBe(false);
    expect(channelsAccept(['eu'], null)).toBe(false);
  });
});
