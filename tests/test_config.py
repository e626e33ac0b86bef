import pytest

from engagement.config import load_config
from engagement.errors import ConfigError


def test_defaults_point_at_the_bundled_sample_and_five_regions():
    from tests.conftest import REPO

    cfg = load_config(REPO / "engagement.yaml")
    assert cfg.regions == ["Essex", "Suffolk", "Norfolk", "Cambridgeshire", "Peterborough"]
    assert cfg.raw_dir == REPO / "data" / "raw" / "sample"
    assert cfg.min_cell == 5


@pytest.mark.parametrize("yaml_text, message", [
    ("regions: []\n", "regions"),
    ("regions: [Essex, Essex]\n", "twice"),
    ("regions: [all]\n", "reserved"),
    ("min_cell: 0\n", "min_cell"),
    ("segmentation: turbo\n", "segmentation"),
    ("colour: blue\n", "unknown setting"),
    ("topics:\n  embedding: tfidf\n  guided: true\n", "guided"),
    ("regions: [Essex\n", "invalid YAML"),
    ("n_process: 0\n", "n_process"),
    ("n_process: lots\n", "n_process"),
    ("spacy_batch_size: -5\n", "spacy_batch_size"),
    ("engine:\n  name: spark\n", "engine.name"),
    ("engine:\n  scheduler: 8786\n", "engine.scheduler"),
    ("engine:\n  workers: 0\n", "engine.workers"),
    ("engine:\n  threads: 4\n", "unknown engine setting"),
    ("topics:\n  unit: paragraph\n", "topics.unit"),
    ("topics:\n  fit_sample: lots\n", "topics.fit_sample"),
    ("topics:\n  fit_sample: -5\n", "topics.fit_sample"),
    ("topics:\n  pool_at_scale: sometimes\n", "topics.pool_at_scale"),
])
def test_invalid_configuration_is_refused_with_the_file_named(tmp_path, yaml_text, message):
    path = tmp_path / "engagement.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_overrides_are_validated_too(tmp_path):
    (tmp_path / "engagement.yaml").write_text("project: x\n")
    with pytest.raises(ConfigError):
        load_config(tmp_path / "engagement.yaml", min_cell=-1)


@pytest.mark.parametrize("alpha", [0, 1, 1.5, "0.05", True])
def test_a_significance_level_outside_0_to_1_is_refused_by_name(tmp_path, alpha):
    from engagement.config import load_config
    from engagement.errors import ConfigError

    (tmp_path / "engagement.yaml").write_text(f"report:\n  alpha: {alpha!r}\n".replace("'", '"'))
    with pytest.raises(ConfigError, match="report.alpha"):
        load_config(tmp_path / "engagement.yaml")


def test_report_settings_have_documented_defaults(tmp_path):
    from engagement.config import load_config

    (tmp_path / "engagement.yaml").write_text("report:\n  alpha: 0.01\n")
    cfg = load_config(tmp_path / "engagement.yaml")
    assert cfg.report["alpha"] == 0.01 and cfg.report["sensitive_themes"] is None


def test_engine_defaults_to_local_and_spacy_settings_to_auto(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("regions: [Essex]\n")
    cfg = load_config(plain)
    assert cfg.engine["name"] == "local" and cfg.n_process == "auto" and cfg.spacy_batch_size == "auto"
    path = tmp_path / "engagement.yaml"
    path.write_text("engine:\n  name: dask\n  scheduler: tcp://10.0.0.5:8786\nn_process: 2\n")
    cfg = load_config(path)
    assert cfg.engine == {"name": "dask", "scheduler": "tcp://10.0.0.5:8786", "workers": None}
    assert cfg.n_process == 2


def test_a_config_survives_pickling_for_worker_processes(tmp_path):
    import pickle

    path = tmp_path / "engagement.yaml"
    path.write_text("regions: [Essex]\n")
    cfg = load_config(path)
    again = pickle.loads(pickle.dumps(cfg))
    assert again == cfg and again.regions == ["Essex"] and again.raw_dir == cfg.raw_dir


def test_topics_default_to_the_turn_unit_and_a_sampled_fit_only_for_large_studies(tmp_path):
    (tmp_path / "engagement.yaml").write_text("project: x\n")
    cfg = load_config(tmp_path / "engagement.yaml")
    assert cfg.topics["unit"] == "turn" and cfg.topics["fit_sample"] == 20000
