"""Offline intent detection: explicit rules first, then nearest labelled examples (embeddings).

Rules catch the unambiguous cases in both languages (accents and case folded); the embedding
k-NN over ``prompts/intents/examples.yaml`` handles paraphrases. Below a similarity floor the
intent is ``other``: a wrong guess is worse than an honest "other".
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from agent.drafting.models import Intent
from agent.errors import ConfigError
from agent.kb.embeddings import OfflineEmbeddings
from agent.lang import fold

# Ordered by priority: the first intent whose rule matches wins.
_RULES: list[tuple[Intent, re.Pattern[str]]] = [
    ("third_party", re.compile(
        r"\b(je suis (sa|son) (fille|fils|femme|mari|epouse|mere|pere|soeur|frere|voisin|voisine|collegue)|"
        r"(il|elle) (est|a) (decede|hospitalise|en prison)|n'habite plus ici|ne vit plus ici|mauvais numero|"
        r"pas le bon numero|ce n'est pas (moi|lui|elle) (la|le) (personne|titulaire)|"
        r"(i'?m|i am|this is) (his|her) (daughter|son|wife|husband|partner|mother|father|sister|brother|neighbou?r|"
        r"lawyer|attorney|solicitor|employer|boss|manager|carer|caregiver)|calling on behalf of|"
        r"je suis (son|sa|l') ?(avocat|avocate|employeur|patron|tuteur|tutrice|curateur|curatrice)|"
        r"(avocat|conseil) de (m\.|mme|monsieur|madame)|"
        r"(he|she) (passed away|died|is in hospital|doesn'?t live here|no longer lives here)|wrong number)")),
    ("stop_contact", re.compile(
        r"(^\s*stop\s*$|arretez de m'?appeler|ne m'?appelez plus|cessez de m'?(appeler|contacter|harceler)|"
        r"ne me contactez plus|plus d'appels?|arretez (les|vos) (appels|relances|sms|messages)|"
        r"desinscri|stop (calling|texting|contacting)|do not (call|contact|text) me|don'?t (call|contact|text) me|"
        r"leave me alone|laissez-moi tranquille|unsubscribe|opt.?out)")),
    ("dispute", re.compile(
        r"(contest|conteste|litige|pas (commande|recu|souscrit)|jamais (commande|recu|souscrit|signe)|"
        r"(n'?ai|n'?avons) jamais|erreur de factur|facture erronee|pas ma dette|ce n'est pas ma facture|"
        r"ne (reconnais|dois) (pas|rien)|je ne dois rien|usurpation|fraude|arnaque|"
        r"dispute|never (ordered|received|signed)|not my (debt|bill|invoice)|i don'?t owe|do not owe|"
        r"billing error|wrong (amount|bill|invoice)|identity theft|fraud|scam|i (didn'?t|did not) (order|sign))")),
    ("already_paid", re.compile(
        r"(deja (paye|regle|verse|rembourse)|j'?ai (deja )?(paye|regle|vire|rembourse)( la| le| cette| ma)? (totalite|facture|somme|dette)|"
        r"j'?ai tout (paye|regle|rembourse)|(we|i) (have )?(settled|paid) (invoice|the invoice|it all|everything|in full)|"
        r"virement (a ete )?(effectue|fait)|(a|ai|avons) (fait|effectue) (le|un) virement|paiement (a ete )?effectue|c'est regle|"
        r"already paid|i (have )?paid (it|this|the|in full)|payment (was|has been) (made|sent)|i settled)")),
    ("hardship", re.compile(
        r"(perdu mon (emploi|travail|boulot)|licenci|chomage|au rsa|malad|hospitalis|cancer|deces|divorc|"
        r"separation|surendett|banque de france|difficultes? (financieres?|passageres?)|"
        r"je n'?ai (plus|pas) (d'argent|de revenus|un sou)|plus de revenus|endett|"
        r"lost my job|unemploy|laid off|redundan|sick|illness|hospital|cancer|bereave|divorce|"
        r"struggling|hardship|can'?t afford|cannot afford|no income|benefits|over.?indebted|debt relief)")),
    ("refuses", re.compile(
        r"(je ne (paierai|payerai|vais pas payer)|je (paierai|payerai) rien|pourquoi je (paierais|payerais)|je refuse|hors de question|(jamais|pas) un (centime|sou)|"
        r"allez vous faire|foutez-moi|je ne payerai rien|"
        r"i (will not|won'?t|refuse to) pay|not paying|no way|never pay|get lost)")),
    ("promise_to_pay", re.compile(
        r"(je (vais|vous) (payer|regler|verser|faire un virement)|je paierai\b|je payerai\b|je reglerai\b|"
        r"je regle (ca|cela|le solde|la facture)? ?(en|a la|d'ici la) fin (de|du) mois|"
        r"je m'?engage a (payer|regler|verser)|(paiement|virement) (la semaine prochaine|demain|le \d+|"
        r"en fin de mois|vendredi|lundi)|des (reception|que je recois) (de )?mon salaire|"
        r"i (will|'ll) pay|i promise to pay|i can pay (on|by|next|at the end)|payment (will|'ll) be (made|sent)|"
        r"when i get paid|on payday)")),
    ("asks_for_plan", re.compile(
        r"(echeancier|echelonn|en plusieurs (fois|mensualites)|mensualit|payer (petit a petit|en \d+ fois)|"
        r"plan de (paiement|remboursement)|etaler|facilites de paiement|\d+ ?(euros?|€) par mois|"
        r"payment plan|instal?ments?|pay (in|over) \d+|spread (the )?(payment|cost)|monthly payments?|"
        r"pay (a bit|something) (each|every) month|\d+ (a|per) month)")),
    ("asks_for_details", re.compile(
        r"(detail|justificatif|copie de la facture|de quoi s'?agit|a quoi correspond|quelle facture|"
        r"pourquoi (je dois|ce montant)|d'ou vient|combien (je dois|dois-je)|montant exact|qui est votre client|"
        r"what is this (for|about)|which invoice|breakdown|copy of the (invoice|bill)|how much do i owe|"
        r"who (is|are) (your client|you)|what do i owe|proof of (the )?debt|validation)")),
]


class IntentResult(BaseModel):
    intent: Intent
    confidence: float
    method: str  # "rule" | "knn" | "fallback"
    evidence: str = ""


class _ExampleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    examples: dict[Intent, dict[str, list[str]]]


class IntentDetector:
    def __init__(self, examples_path: Path, embeddings: OfflineEmbeddings, *, floor: float = 0.45, k: int = 5):
        self._path = examples_path
        self._emb = embeddings
        self._floor = floor
        self._k = k
        self._matrix: np.ndarray | None = None
        self._labels: list[Intent] = []
        self._lock = threading.Lock()

    def _load(self) -> None:
        try:
            raw = yaml.safe_load(self._path.read_text(encoding="utf-8"))
            data = _ExampleFile.model_validate(raw)
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise ConfigError(f"intent examples {self._path} unusable: {exc}") from exc
        texts: list[str] = []
        labels: list[Intent] = []
        for intent, by_lang in data.examples.items():
            for examples in by_lang.values():
                texts.extend(examples)
                labels.extend([intent] * len(examples))
        vecs = np.asarray(self._emb.embed_documents(texts), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
        self._matrix, self._labels = vecs, labels

    def detect(self, message: str, vector: np.ndarray | list[float] | None = None) -> IntentResult:
        folded = fold(message)
        for intent, pattern in _RULES:
            m = pattern.search(folded)
            if m:
                return IntentResult(intent=intent, confidence=0.9, method="rule", evidence=m.group(0))
        with self._lock:
            if self._matrix is None:
                self._load()
        assert self._matrix is not None
        q = np.asarray(vector if vector is not None else self._emb.embed_query(message[:2000]), dtype=np.float32)
        q = q / (np.linalg.norm(q) + 1e-9)  # a new array: the cached query vector is shared and read-only
        sims = self._matrix @ q
        top = np.argsort(-sims)[: self._k]
        votes: dict[Intent, float] = {}
        for i in top:
            votes[self._labels[i]] = votes.get(self._labels[i], 0.0) + float(sims[i])
        best = max(votes, key=lambda k: votes[k])
        best_sim = max(float(sims[i]) for i in top if self._labels[i] == best)
        if best_sim < self._floor:
            return IntentResult(intent="other", confidence=round(best_sim, 3), method="fallback")
        return IntentResult(intent=best, confidence=round(best_sim, 3), method="knn")


