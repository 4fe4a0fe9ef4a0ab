"""Evaluation plots as PNG: reliability diagram and precision-recall curve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only; never a window, whatever the host has
import matplotlib.pyplot as plt


def reliability_png(report: dict[str, Any], out: Path) -> Path:
    """Mean predicted probability against observed frequency, per bin."""
    rows = report["calibration"]["reliability"]
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    ax.plot([r["mean_probability"] for r in rows], [r["observed"] for r in rows], marker="o",
            label=f"cellwatch (ECE {report['calibration']['ece']:.3f})")
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("Attribution reliability")
    ax.legend()
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return out


def precision_recall_png(report: dict[str, Any], out: Path) -> Path:
    """Top-1 precision against recall as the threshold falls (identifiers used 7+ days)."""
    fig, ax = plt.subplots(figsize=(5, 5))
    for kind, points in report["by_threshold"].items():
        ax.plot([p["recall"] for p in points], [p["precision"] for p in points], marker="o",
                label=kind)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Top-1 attribution by device-day")
    ax.legend()
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return out
