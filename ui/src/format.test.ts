import { describe, expect, it } from "vitest";
import { age } from "./format";

describe("age", () => {
  const now = new Date("2026-11-23T12:00:00Z");
  it("says never when there was no sync", () => expect(age(null, now)).toBe("never synced"));
  it("rounds to the nearest unit", () => {
    expect(age("2026-11-23T11:59:50Z", now)).toBe("just now");
    expect(age("2026-11-23T11:57:00Z", now)).toBe("3 minutes ago");
    expect(age("2026-11-23T11:59:00Z", now)).toBe("1 minute ago");
    expect(age("2026-11-23T09:00:00Z", now)).toBe("3 hours ago");
    expect(age("2026-11-20T12:00:00Z", now)).toBe("3 days ago");
  });
});
