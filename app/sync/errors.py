"""Errors of the sync layer: a refused batch or signed file, and unusable node keys.

Each `BatchError` carries a machine `code` (recorded with the quarantined file) and a Portuguese
message telling the clerk what is wrong and what to do about it.
"""

from __future__ import annotations

from typing import Literal

from app.errors import UserFacingError

BatchErrorCode = Literal[
    "format",
    "truncated",
    "signature",
    "hash",
    "decrypt",
    "recipient",
    "too_new",
    "unknown_node",
    "revoked",
    "too_old",
    "integrity",
]

_RESEND = "Peça ao remetente para exportar o lote novamente."

MESSAGES: dict[BatchErrorCode, str] = {
    "format": "O arquivo não é um lote do Saúde Municipal ou está corrompido. "
    "Confira se escolheu o arquivo certo.",
    "truncated": f"O arquivo está incompleto (cópia interrompida?). {_RESEND}",
    "signature": "A assinatura do arquivo não confere com a do remetente cadastrado: ele pode ter "
    f"sido alterado ou vir de um computador desconhecido. O arquivo foi recusado. {_RESEND}",
    "hash": f"O conteúdo do arquivo foi alterado ou danificado depois de exportado. {_RESEND}",
    "decrypt": f"Não foi possível abrir o conteúdo do arquivo (dados danificados). {_RESEND}",
    "recipient": "Este lote foi gerado para outro computador e não pode ser aberto aqui. "
    "Confira com o remetente para qual computador ele exportou o lote.",
    "too_new": "Este lote foi gerado por uma versão mais nova do sistema. "
    "Atualize o sistema neste computador e importe o lote novamente.",
    "unknown_node": "O lote vem de um computador que não está cadastrado nesta rede de "
    "sincronização. Cadastre o computador na central antes de trocar lotes.",
    "revoked": "O lote vem de um computador descadastrado (revogado) pela central e foi recusado. "
    "Procure a coordenação.",
    "too_old": "O lote foi gerado por uma versão antiga demais do sistema. Atualize o sistema no "
    "computador de origem e exporte o lote novamente.",
    "integrity": "O lote repete números de alterações já recebidas com conteúdo diferente "
    "(o computador de origem pode ter sido restaurado de uma cópia antiga). Nada foi aplicado; "
    "procure o suporte antes de continuar.",
}


class BatchError(UserFacingError):
    """A batch (or signed sync file) was refused; nothing from it may be applied."""

    def __init__(self, code: BatchErrorCode, message: str | None = None) -> None:
        self.code: BatchErrorCode = code
        super().__init__(message or MESSAGES[code])


class SyncKeyError(UserFacingError):
    """This node's key file is missing, damaged or its secret does not match."""
