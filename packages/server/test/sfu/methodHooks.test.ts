/**
 * The hooks around werift's methods (werift/methodHooks.ts), on classes of the test's own: an instance with
 * hooks gets `beforeWerift` and `afterWerift` around each hooked method, one without runs the method as it
 * is, and the source scan finds the methods that write or read a field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hookMethods,
  isHooked,
  methodsTouching,
  sourceOf,
  touchesOutsideMethods,
} from '../../src/sfu/werift/methodHooks.js';

class Base {
  count = 0;
  label = 'x';
  bump(by: number): number {
    this.count += by;
    return this.count;
  }
  read(): string {
    return `${this.count}`;
  }
}

class Derived extends Base {
  async later(): Promise<void> {
    this.label = 'sync part';
    await Promise.resolve();
    this.label = 'after an await';
  }
  rename(): void {
    this.label = 'y';
  }
  get shown(): string {
    return this.label;
  }
}

test('an instance with hooks gets them around each hooked method; one without runs werift’s method as it is', async () => {
  const key = Symbol('test hooks');
  hookMethods(Derived.prototype, key, ['bump', 'later']);
  assert.ok(isHooked(Derived.prototype, 'bump') && isHooked(Base.prototype, 'bump'), 'wrapped where defined');
  assert.equal(isHooked(Derived.prototype, 'read'), false);

  const calls: string[] = [];
  const hooked = new Derived() as Derived & Record<symbol, unknown>;
  hooked[key] = {
    beforeWerift: () => calls.push(`before ${hooked.count} ${hooked.label}`),
    afterWerift: () => calls.push(`after ${hooked.count} ${hooked.label}`),
  };
  assert.equal(hooked.bump(2), 2, 'the method’s result');
  const pending = hooked.later();
  await pending;
  assert.deepEqual(calls, ['before 0 x', 'after 2 x', 'before 2 x', 'after 2 sync part']);

  const plain = new Derived();
  assert.equal(plain.bump(5), 5);
  assert.equal(calls.length, 4, 'no hooks on an instance without them');

  // A method that throws still calls afterWerift (werift may have written a field before it threw).
  const throwing = new Derived() as Derived & Record<symbol, unknown>;
  throwing[key] = { beforeWerift: () => calls.push('before'), afterWerift: () => calls.push('after') };
  Object.defineProperty(throwing, 'count', {
    get(): number {
      throw new Error('werift threw');
    },
  });
  assert.throws(() => throwing.bump(1), /werift threw/);
  assert.deepEqual(calls.slice(4), ['before', 'after']);
});

test('a method is hooked for one kind of hooks; hooking it again for the same is a no-op', () => {
  class Subject {
    run(): number {
      return 1;
    }
  }
  const a = Symbol('a');
  hookMethods(Subject.prototype, a, ['run']);
  const wrapper = Subject.prototype.run;
  hookMethods(Subject.prototype, a, ['run']);
  assert.equal(Subject.prototype.run, wrapper, 'wrapped once');
  assert.throws(() => hookMethods(Subject.prototype, Symbol('b'), ['run']), /hooked already/);
  assert.throws(() => hookMethods(Subject.prototype, a, ['missing']), /no method missing/);
  assert.match(sourceOf(wrapper as () => unknown), /return 1/, 'the original’s source, not the wrapper’s');
});

test('the source scan finds the methods and accessors that write a field, or also read it', () => {
  assert.deepEqual(methodsTouching(Derived.prototype, ['label'], false), ['later', 'rename']);
  assert.deepEqual(methodsTouching(Derived.prototype, ['label'], true), ['get shown', 'later', 'rename']);
  assert.deepEqual(methodsTouching(Derived.prototype, ['count'], false), ['bump'], '+= is a write');
  assert.deepEqual(methodsTouching(Derived.prototype, ['count'], true), ['bump', 'read']);
});

test("writes outside the prototype's methods (a constructor's, a per-instance function's) are counted apart", () => {
  class WithArrow {
    label = 'a';
    constructor(start: boolean) {
      if (start) this.label = 'started';
    }
    onEvent = (): void => {
      this.label = 'b';
    };
    rename(): void {
      this.label = 'c';
    }
  }
  void new WithArrow(true).onEvent;
  assert.equal(touchesOutsideMethods(WithArrow, ['label'], false), 2, 'the constructor and the arrow');
  assert.deepEqual(methodsTouching(WithArrow.prototype, ['label'], false), ['rename']);
  assert.equal(touchesOutsideMethods(Derived, ['label'], false), 0, 'only in methods');
});
