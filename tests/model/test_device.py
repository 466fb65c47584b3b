"""`--device auto|cpu|cuda`: resolution against torch (CUDA mocked), the U301 error, and a tiny
randomly initialised causal LM, saved locally, scored with its tensors on the chosen device."""

from __future__ import annotations

import json

import pytest

from unspin import errors

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


@pytest.fixture
def no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.fixture
def with_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


@pytest.fixture(autouse=True)
def _no_device_env(monkeypatch):
    monkeypatch.delenv("UNSPIN_DEVICE", raising=False)
    monkeypatch.setenv("UNSPIN_CPU_PRECISION", "float32")  # exact scores below, on any CPU


def test_auto_is_cuda_when_torch_sees_a_gpu_else_cpu(monkeypatch, no_cuda):
    from unspin.model.neural import resolve_device

    assert resolve_device("auto") == "cpu" and resolve_device(None) == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda" and resolve_device(None) == "cuda"
    assert resolve_device("cpu") == "cpu"


def test_cuda_without_a_gpu_is_a_coded_usage_error_naming_the_option(no_cuda):
    from unspin.model.neural import resolve_device

    with pytest.raises(errors.DeviceError) as err:
        resolve_device("cuda")
    assert err.value.code == "U301" and err.value.exit_code == errors.EXIT_USAGE
    assert str(err.value).startswith("U301 --device cuda: CUDA is not available") and "--device cpu" in str(err.value)
    assert isinstance(err.value, errors.ModelError)  # callers catching ModelError still do


def test_a_gpu_index_beyond_the_ones_present_is_refused(with_cuda):
    from unspin.model.neural import resolve_device

    assert resolve_device("cuda:0") == "cuda:0"
    with pytest.raises(errors.DeviceError, match="only 1 CUDA device"):
        resolve_device("cuda:3")


def test_unspin_device_is_the_default_and_a_bad_value_names_it(monkeypatch, with_cuda):
    from unspin.model.neural import resolve_device

    monkeypatch.setenv("UNSPIN_DEVICE", "cpu")
    assert resolve_device(None) == "cpu" and resolve_device("cuda") == "cuda"  # the argument wins
    monkeypatch.setenv("UNSPIN_DEVICE", "tpu")
    with pytest.raises(errors.DeviceError) as err:
        resolve_device(None)
    assert str(err.value).startswith("U301 UNSPIN_DEVICE: unknown device 'tpu'")
    with pytest.raises(errors.DeviceError, match="U301 device: unknown device 'gpu'"):
        resolve_device("gpu")


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    """A 2-layer Llama with a 40-word vocabulary and its tokenizer, built here: nothing downloaded."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = "the a company said that sales fell rose percent during quarter corporate stated gross in of course".split()
    vocab = {tok: i for i, tok in enumerate(["<unk>", "<|endoftext|>", "<pad>", *words, ".", ","])}
    raw = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace()])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="<unk>", eos_token="<|endoftext|>",
                                        pad_token="<pad>")
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         eos_token_id=vocab["<|endoftext|>"], pad_token_id=vocab["<pad>"])
    folder = tmp_path_factory.mktemp("tiny-lm")
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_a_local_lm_is_scored_with_its_inputs_on_the_chosen_device(tiny_lm, no_cuda, monkeypatch):
    from unspin.model import neural

    model = neural.load_neural(str(tiny_lm), device="auto")
    assert model.device == torch.device("cpu") and {p.device.type for p in model.model.parameters()} == {"cpu"}
    assert next(model.model.parameters()).dtype == torch.float32
    seen: list[tuple[str, str]] = []
    forward = model.model.forward

    def recording(*args, **kwargs):
        seen.append((kwargs["input_ids"].device.type, kwargs["attention_mask"].device.type))
        return forward(*args, **kwargs)

    monkeypatch.setattr(model.model, "forward", recording)
    texts = ["the company said that sales fell .", "the corporate stated gross sales fell in the course of the quarter ."]
    together = model.score_texts(texts)
    assert seen and set(seen) == {("cpu", "cpu")}
    assert all(s < 0 for s in together)
    # a batch over the logits cap is split, and the scores do not change
    monkeypatch.setattr(neural, "_MAX_LOGITS", 1)
    calls = len(seen)
    assert model.score_texts(texts) == pytest.approx(together, abs=1e-4)
    assert len(seen) - calls == 2


def test_cuda_on_a_machine_without_one_fails_before_loading(tiny_lm, no_cuda, monkeypatch):
    from unspin.model import neural

    monkeypatch.setattr(neural, "neural_cache_dir", lambda name: pytest.fail("loaded despite a missing GPU"))
    with pytest.raises(errors.DeviceError):
        neural.load_neural(str(tiny_lm), device="cuda")


def test_restore_with_device_cuda_and_no_gpu_exits_2_with_u301(tiny_lm, no_cuda, tmp_path, capsys, monkeypatch):
    from unspin.cli import main

    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda *a, **k: pytest.fail("engine loaded"))
    path = tmp_path / "a.txt"
    path.write_text("The corporate fell.")
    assert main(["restore", str(path), "--lm", str(tiny_lm), "--device", "cuda"]) == errors.EXIT_USAGE
    err = capsys.readouterr().err
    assert "U301 --device cuda: CUDA is not available" in err
    # with the n-gram model the device is unused: no torch check, no error
    monkeypatch.setattr("unspin.restorer.decode.load_restorer", lambda *a, **k: __import__("fakes").FakeRestorer())
    assert main(["restore", str(path), "--device", "cuda"]) == 0


def test_scan_thorough_and_serve_and_bench_take_the_option(tiny_lm, no_cuda, tmp_path, capsys):
    from unspin.cli import build_parser, main
    from unspin.cli.serve import settings_from_args

    path = tmp_path / "a.txt"
    path.write_text("The corporate fell.")
    assert main(["scan", str(path), "--thorough", "--lm", str(tiny_lm), "--device", "cuda"]) == errors.EXIT_USAGE
    assert "U301" in capsys.readouterr().err
    args = build_parser().parse_args(["serve", "--lm", "smollm2", "--device", "cpu"])
    assert settings_from_args(args).device == "cpu"
    assert build_parser().parse_args(["bench", "restore", "--device", "cuda:1"]).device == "cuda:1"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["restore", "-", "--device", "gpu"])


def test_the_restorer_puts_a_local_lm_on_the_device_it_was_given(tiny_lm, no_cuda):
    pytest.importorskip("kenlm")
    from unspin.config import lexicon_path, ngram_path
    from unspin.restorer.decode import load_restorer

    if not (lexicon_path().exists() and ngram_path().exists()):
        pytest.skip("lexicon / n-gram model not built")
    restorer = load_restorer(str(tiny_lm), device="cpu")
    assert restorer.reranker.device == torch.device("cpu")
    assert load_restorer(str(tiny_lm), device="auto") is restorer  # auto resolved to cpu: the same engine
    result = restorer.restore("The corporate stated that gross sales fell.")
    assert json.loads(json.dumps([e.to_dict() for e in result.edits])) is not None


def test_inputs_follow_the_model_to_its_device(tiny_lm, monkeypatch):
    """On a machine without a GPU, the 'meta' device stands in for one: the inputs must go there."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from unspin.model.neural import NeuralModel

    lm = AutoModelForCausalLM.from_pretrained(tiny_lm).to("meta")
    model = NeuralModel(lm, AutoTokenizer.from_pretrained(tiny_lm), "tiny")
    assert model.device.type == "meta"
    seen: list[str] = []
    forward = lm.forward
    monkeypatch.setattr(lm, "forward", lambda **kw: seen.append(kw["input_ids"].device.type) or forward(**kw))
    with pytest.raises((NotImplementedError, RuntimeError)):  # a meta tensor has no values to return
        model.score_texts(["the company said ."])
    assert seen == ["meta"]


def test_cpu_weights_are_bfloat16_only_where_the_cpu_multiplies_it_natively(monkeypatch):
    from unspin.model.neural import _dtype_for

    monkeypatch.setenv("UNSPIN_CPU_PRECISION", "auto")
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False, raising=False)
    assert _dtype_for(torch, "cpu") is torch.float32
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True, raising=False)
    assert _dtype_for(torch, "cpu") is torch.bfloat16
    monkeypatch.setenv("UNSPIN_CPU_PRECISION", "float32")
    assert _dtype_for(torch, "cpu") is torch.float32
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False, raising=False)
    monkeypatch.setenv("UNSPIN_CPU_PRECISION", "bfloat16")
    assert _dtype_for(torch, "cpu") is torch.bfloat16
    monkeypatch.setenv("UNSPIN_CPU_PRECISION", "half")
    with pytest.raises(errors.DeviceError, match="UNSPIN_CPU_PRECISION: unknown CPU precision 'half'"):
        _dtype_for(torch, "cpu")


def test_gpu_weights_are_bfloat16_where_supported_else_float16(monkeypatch):
    from unspin.model.neural import _dtype_for

    monkeypatch.setenv("UNSPIN_CPU_PRECISION", "bfloat16")  # a CPU setting: no effect on a GPU
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert _dtype_for(torch, "cuda") is torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert _dtype_for(torch, "cuda:1") is torch.float16


def test_gemma3_without_its_optional_package_says_how_to_install_it(tmp_path, monkeypatch, no_cuda):
    from unspin.model import neural

    monkeypatch.setattr(neural, "neural_cache_dir", lambda name: tmp_path / name)
    real_find_spec = neural.importlib.util.find_spec
    monkeypatch.setattr(neural.importlib.util, "find_spec",
                        lambda name, *a: None if name == neural._GEMMA3_PACKAGE else real_find_spec(name, *a))
    with pytest.raises(errors.MissingExtraError) as err:
        neural.load_neural("gemma3", device="cpu")
    assert "unspin[gemma]" in str(err.value) and "make gemma" in str(err.value) and "Gemma terms" in str(err.value)
    assert not (tmp_path / "gemma3.gguf").exists()  # the work folder is cleaned up


def test_a_bad_cpu_precision_is_refused_before_loading(tiny_lm, no_cuda, monkeypatch):
    from unspin.model import neural

    monkeypatch.setenv("UNSPIN_CPU_PRECISION", "int4")
    monkeypatch.setattr(neural, "neural_cache_dir", lambda name: pytest.fail("loaded despite a bad precision"))
    with pytest.raises(errors.DeviceError, match="U301 UNSPIN_CPU_PRECISION: unknown CPU precision 'int4'"):
        neural.load_neural(str(tiny_lm), device="cpu")
