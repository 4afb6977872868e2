import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, json, limits } from "../test/harness";
import { UsageBar } from "./UsageBar";

// formatBytes counts in 1024s.
const GB = 1024 ** 3;

function serveLimits(answers: object[]) {
  return fakeApi((call) =>
    call.method === "GET" && call.path === "/api/v1/files/limits"
      ? json(200, { ...limits, maxFileBytes: 5 * GB, ...answers.shift() })
      : undefined,
  );
}

describe("UsageBar", () => {
  it("shows the storage used of the quota with the trash's share apart", async () => {
    serveLimits([{ quotaBytes: 10 * GB, usedBytes: 3 * GB, trashBytes: 1 * GB }]);
    render(<UsageBar />);

    const meter = await screen.findByRole("meter", { name: "Storage used" });
    expect(meter).toHaveAttribute("aria-valuenow", String(3 * GB));
    expect(meter).toHaveAttribute("aria-valuemax", String(10 * GB));
    expect(meter).toHaveAttribute("aria-valuetext", "3 GB of 10 GB used · 1 GB in the trash");
    expect(screen.getByTestId("usage-trash")).toHaveStyle({ width: "10%" });
    expect(screen.getByText("3 GB of 10 GB used · 1 GB in the trash")).toBeInTheDocument();
  });

  it("asks again when told to (after an upload), and says when the quota is full", async () => {
    serveLimits([
      { quotaBytes: 10 * GB, usedBytes: 2 * GB, trashBytes: 0 },
      { quotaBytes: 10 * GB, usedBytes: 10 * GB, trashBytes: 0 },
    ]);
    const { rerender } = render(<UsageBar reload={0} />);
    expect(await screen.findByText("2 GB of 10 GB used")).toBeInTheDocument();

    rerender(<UsageBar reload={1} />);

    expect(await screen.findByText(/10 GB of 10 GB used · full: empty the trash/)).toBeInTheDocument();
  });

  it("shows nothing for a server without quotas", async () => {
    const beforeQuotas = { maxUploadBytes: limits.maxUploadBytes, trashRetentionDays: limits.trashRetentionDays };
    const { requests } = fakeApi((call) =>
      call.path === "/api/v1/files/limits" ? json(200, beforeQuotas) : undefined,
    );
    render(<UsageBar />);
    await vi.waitFor(() => expect(requests).toContain("GET /api/v1/files/limits"));
    expect(screen.queryByRole("meter")).not.toBeInTheDocument();
  });
});
