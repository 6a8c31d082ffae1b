"""Settings from the environment (GOVPERF_*), a .env file, and a govperf.toml, in that order of
precedence; all three are read from the working directory."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GOVPERF_", env_file=".env", toml_file="govperf.toml", extra="ignore"
    )

    home: Path = Field(default=Path("data"), description="Data folder: raw archive, warehouse, docs.")
    alert_webhook: str | None = Field(default=None, description="URL that receives one JSON POST per run.")
    alert_urls: str | None = Field(
        default=None,
        description="DingTalk, WeCom, Feishu bots and e-mail (dingtalk://, wecom://, feishu://, mailto:// "
        "or the bots' https URLs), separated by spaces: told when a run has findings or fails.",
    )
    site_url: str | None = Field(
        default=None, description="Where the report site is published; alerts link its pages there."
    )
    concurrency: int = Field(
        default=2, ge=1, description="Batches of sources crawled at once (task runs in parallel)."
    )
    workers: int | None = Field(
        default=None,
        ge=1,
        description="Documents read at once, each in its own worker process (default: one per core).",
    )
    task_runner: Literal["threads", "dask"] = Field(
        default="threads", description="threads, or dask for prefect-dask's DaskTaskRunner."
    )
    dask_address: str | None = Field(default=None, description="Scheduler address for the dask task runner.")
    sources_dir: str | None = Field(
        default=None,
        description="Folder(s) of an operator's own source files, merged with the bundled ones "
        "(several joined by the OS path separator, ':' on Linux).",
    )
    ocr_cache: Path | None = Field(
        default=None, description="Folder of the OCR page cache, when not <home>/cache/ocr (shareable)."
    )
    ocr: Literal["on", "off"] = Field(
        default="on",
        description="off: scanned pages are not OCR'd (such PDFs are rejected as no_text_layer).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # govperf.toml holds a machine's standing settings (keys without the GOVPERF_ prefix);
        # the environment overrides it for one run
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls),
            file_secret_settings,
        )

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def parse_cache_dir(self) -> Path:
        return self.home / "cache" / "parse"

    @property
    def chart_cache_dir(self) -> Path:
        return self.home / "cache" / "charts"

    @property
    def ocr_cache_dir(self) -> Path:
        return self.ocr_cache or self.home / "cache" / "ocr"

    @property
    def docs_dir(self) -> Path:
        return self.home / "docs"

    @property
    def site_dir(self) -> Path:
        return self.home / "site"


def get_settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
