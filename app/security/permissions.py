"""The catalogue of permissions, `department.action` strings with a Portuguese label each.

Roles are made of these. A department appears in the main window when the account holds any of
its permissions. Later departments add their entries here.
"""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "registry.read": "Consultar cadastros (cidadãos, unidades, profissionais)",
    "registry.write": "Incluir e alterar cadastros",
    "registry.print": "Imprimir fichas e listas do cadastro",
    "admin.accounts": "Gerenciar contas de usuário e perfis",
    "admin.audit": "Consultar e verificar a trilha de auditoria",
    "admin.settings": "Alterar os dados do município e da instalação",
    "documents.verify": "Verificar a autenticidade de documentos impressos",
    "care.read": "Consultar agendas e agendamentos",
    "care.schedule": "Agendar, confirmar e cancelar atendimentos e bloquear agendas",
    "care.attend": "Digitar e corrigir atendimentos (produção)",
    "care.production": "Fechar a produção do mês e gerar os arquivos BPA e e-SUS",
    "reference.manage": "Importar e consultar tabelas de referência (SIGTAP, CID-10)",
    "sync.run": "Sincronizar (exportar e importar lotes)",
    "sync.admin": "Cadastrar e revogar computadores, resolver conflitos",
    "sanitary.read": "Consultar estabelecimentos, inspeções e documentos da Vigilância Sanitária",
    "sanitary.write": "Cadastrar estabelecimentos e registrar denúncias",
    "sanitary.inspect": "Realizar inspeções e emitir termos e autos",
    "sanitary.manage": "Planejar inspeções, manter roteiros, tabela de risco e parâmetros da VISA",
    "sanitary.process": "Conduzir processos administrativos sanitários e emitir licenças",
}

DEPARTMENT_LABELS: dict[str, str] = {
    "registry": "Cadastros",
    "admin": "Administração",
    "documents": "Documentos",
    "care": "Atenção à Saúde",
    "reference": "Tabelas de referência",
    "sync": "Sincronização",
    "sanitary": "Vigilância Sanitária",
}


def label_of(permission: str) -> str:
    return PERMISSIONS.get(permission, permission)


def is_known(permission: str) -> bool:
    return permission in PERMISSIONS
