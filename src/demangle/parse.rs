//! The parser: LLVM 22's `AbstractManglingParser` (`ItaniumDemangle.h`), production for
//! production, building an [`Ast`]. It never backtracks: any production that does not
//! match fails the whole name, which then stays mangled.
//!
//! Unlike LLVM it bounds its recursion, so a malformed name from an object file cannot
//! exhaust the stack; no real mangled name nests anywhere near the bound.

use super::node::{
    Ast, FloatKind, Kind, List, NodeId, ParamKind, Prec, QUAL_CONST, QUAL_RESTRICT, QUAL_VOLATILE,
    RefQual, SpecialSub, Str,
};

/// Deepest nesting of productions before the parser gives up.
const MAX_DEPTH: u32 = 384;

/// A template parameter list that `T_` parameters index: the outermost template
/// arguments, or one opened by a lambda or a template template parameter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListRef {
    Outer,
    Scoped(usize),
}

/// What a `<name>` told about the `<encoding>` it heads.
struct NameState {
    ctor_dtor_conversion: bool,
    ends_with_template_args: bool,
    cv: u8,
    ref_qual: RefQual,
    forward_refs_begin: usize,
    has_explicit_object_parameter: bool,
}

/// How an operator's encoding is used in expressions (LLVM's `OperatorInfo::OIKind`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum OpKind {
    Prefix,
    Postfix,
    Binary,
    Array,
    Member,
    New,
    Del,
    Call,
    CCast,
    Conditional,
    NameOnly,
    /// From here on, the operators cannot be named (`operator...`).
    NamedCast,
    OfIdOp,
}

struct Op {
    enc: [u8; 2],
    kind: OpKind,
    flag: bool,
    prec: Prec,
    name: &'static str,
}

impl Op {
    /// The operator's spelling in an expression: the name without `operator`.
    fn symbol(&self) -> Str<'static> {
        let name = self.name;
        if self.kind < OpKind::NamedCast {
            let rest = name.strip_prefix("operator").unwrap_or(name);
            rest.strip_prefix(' ').unwrap_or(rest).as_bytes()
        } else {
            name.as_bytes()
        }
    }
}

const fn op(enc: &[u8; 2], kind: OpKind, flag: bool, prec: Prec, name: &'static str) -> Op {
    Op {
        enc: *enc,
        kind,
        flag,
        prec,
        name,
    }
}

/// The operator encodings, ordered by encoding.
static OPS: [Op; 63] = {
    use OpKind::*;
    use Prec as P;
    [
        op(b"aN", Binary, false, P::Assign, "operator&="),
        op(b"aS", Binary, false, P::Assign, "operator="),
        op(b"aa", Binary, false, P::AndIf, "operator&&"),
        op(b"ad", Prefix, false, P::Unary, "operator&"),
        op(b"an", Binary, false, P::And, "operator&"),
        op(b"at", OfIdOp, true, P::Unary, "alignof "),
        op(b"aw", NameOnly, false, P::Primary, "operator co_await"),
        op(b"az", OfIdOp, false, P::Unary, "alignof "),
        op(b"cc", NamedCast, false, P::Postfix, "const_cast"),
        op(b"cl", Call, false, P::Postfix, "operator()"),
        op(b"cm", Binary, false, P::Comma, "operator,"),
        op(b"co", Prefix, false, P::Unary, "operator~"),
        op(b"cp", Call, true, P::Postfix, "operator()"),
        op(b"cv", CCast, false, P::Cast, "operator"),
        op(b"dV", Binary, false, P::Assign, "operator/="),
        op(b"da", Del, true, P::Unary, "operator delete[]"),
        op(b"dc", NamedCast, false, P::Postfix, "dynamic_cast"),
        op(b"de", Prefix, false, P::Unary, "operator*"),
        op(b"dl", Del, false, P::Unary, "operator delete"),
        op(b"ds", Member, false, P::PtrMem, "operator.*"),
        op(b"dt", Member, false, P::Postfix, "operator."),
        op(b"dv", Binary, false, P::Assign, "operator/"),
        op(b"eO", Binary, false, P::Assign, "operator^="),
        op(b"eo", Binary, false, P::Xor, "operator^"),
        op(b"eq", Binary, false, P::Equality, "operator=="),
        op(b"ge", Binary, false, P::Relational, "operator>="),
        op(b"gt", Binary, false, P::Relational, "operator>"),
        op(b"ix", Array, false, P::Postfix, "operator[]"),
        op(b"lS", Binary, false, P::Assign, "operator<<="),
        op(b"le", Binary, false, P::Relational, "operator<="),
        op(b"ls", Binary, false, P::Shift, "operator<<"),
        op(b"lt", Binary, false, P::Relational, "operator<"),
        op(b"mI", Binary, false, P::Assign, "operator-="),
        op(b"mL", Binary, false, P::Assign, "operator*="),
        op(b"mi", Binary, false, P::Additive, "operator-"),
        op(b"ml", Binary, false, P::Multiplicative, "operator*"),
        op(b"mm", Postfix, false, P::Postfix, "operator--"),
        op(b"na", New, true, P::Unary, "operator new[]"),
        op(b"ne", Binary, false, P::Equality, "operator!="),
        op(b"ng", Prefix, false, P::Unary, "operator-"),
        op(b"nt", Prefix, false, P::Unary, "operator!"),
        op(b"nw", New, false, P::Unary, "operator new"),
        op(b"oR", Binary, false, P::Assign, "operator|="),
        op(b"oo", Binary, false, P::OrIf, "operator||"),
        op(b"or", Binary, false, P::Ior, "operator|"),
        op(b"pL", Binary, false, P::Assign, "operator+="),
        op(b"pl", Binary, false, P::Additive, "operator+"),
        op(b"pm", Member, true, P::PtrMem, "operator->*"),
        op(b"pp", Postfix, false, P::Postfix, "operator++"),
        op(b"ps", Prefix, false, P::Unary, "operator+"),
        op(b"pt", Member, true, P::Postfix, "operator->"),
        op(b"qu", Conditional, false, P::Conditional, "operator?"),
        op(b"rM", Binary, false, P::Assign, "operator%="),
        op(b"rS", Binary, false, P::Assign, "operator>>="),
        op(b"rc", NamedCast, false, P::Postfix, "reinterpret_cast"),
        op(b"rm", Binary, false, P::Multiplicative, "operator%"),
        op(b"rs", Binary, false, P::Shift, "operator>>"),
        op(b"sc", NamedCast, false, P::Postfix, "static_cast"),
        op(b"ss", Binary, false, P::Spaceship, "operator<=>"),
        op(b"st", OfIdOp, true, P::Unary, "sizeof "),
        op(b"sz", OfIdOp, false, P::Unary, "sizeof "),
        op(b"te", OfIdOp, false, P::Postfix, "typeid "),
        op(b"ti", OfIdOp, true, P::Postfix, "typeid "),
    ]
};

/// Parser state: LLVM's `AbstractManglingParser` fields.
pub(super) struct Parser<'s> {
    s: Str<'s>,
    pos: usize,
    pub(super) ast: Ast<'s>,
    /// Nodes parsed but not yet gathered into a list.
    names: Vec<NodeId>,
    /// The substitution table (`S_`, `S0_`, ...).
    subs: Vec<NodeId>,
    outer: Vec<NodeId>,
    scoped: Vec<Vec<NodeId>>,
    /// Template parameter lists by level (`TL0_1_`); `None` for a generic lambda's.
    template_params: Vec<Option<ListRef>>,
    forward_refs: Vec<NodeId>,
    try_to_parse_template_args: bool,
    permit_forward_template_references: bool,
    incomplete_template_parameter_tracking: bool,
    parsing_lambda_params_at_level: usize,
    synthetic: [u32; 3],
    depth: u32,
}

impl<'s> Parser<'s> {
    pub(super) fn new(s: Str<'s>) -> Self {
        Parser {
            s,
            pos: 0,
            ast: Ast::default(),
            names: Vec::new(),
            subs: Vec::new(),
            outer: Vec::new(),
            scoped: Vec::new(),
            template_params: Vec::new(),
            forward_refs: Vec::new(),
            try_to_parse_template_args: true,
            permit_forward_template_references: false,
            incomplete_template_parameter_tracking: false,
            parsing_lambda_params_at_level: usize::MAX,
            synthetic: [0; 3],
            depth: 0,
        }
    }

    // --- Input ---

    fn look(&self, ahead: usize) -> u8 {
        self.s.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn num_left(&self) -> usize {
        self.s.len() - self.pos
    }

    fn consume_if(&mut self, prefix: &[u8]) -> bool {
        if self.s[self.pos..].starts_with(prefix) {
            self.pos += prefix.len();
            true
        } else {
            false
        }
    }

    fn consume_byte(&mut self, c: u8) -> bool {
        if self.look(0) == c && self.num_left() > 0 {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Advances by `n`, at most to the end.
    fn skip(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.s.len());
    }

    // --- Helpers ---

    fn make(&mut self, kind: Kind<'s>) -> NodeId {
        self.ast.make(kind)
    }

    fn make_prec(&mut self, kind: Kind<'s>, prec: Prec) -> NodeId {
        self.ast.make_prec(kind, prec)
    }

    fn name(&mut self, s: Str<'s>) -> NodeId {
        self.make(Kind::Name(s))
    }

    fn pop_list(&mut self, from: usize) -> List {
        let list = self.ast.make_list(&self.names[from..]);
        self.names.truncate(from);
        list
    }

    /// Runs a production one level deeper, failing past [`MAX_DEPTH`].
    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Option<NodeId>) -> Option<NodeId> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn list_ref(&self, r: ListRef) -> &Vec<NodeId> {
        match r {
            ListRef::Outer => &self.outer,
            ListRef::Scoped(i) => &self.scoped[i],
        }
    }

    /// Opens a template parameter list (LLVM's `ScopedTemplateParamList`); returns the
    /// old level count and the list's index for [`Self::close_scoped`].
    fn open_scoped(&mut self) -> (usize, usize) {
        let old = self.template_params.len();
        self.scoped.push(Vec::new());
        let idx = self.scoped.len() - 1;
        self.template_params.push(Some(ListRef::Scoped(idx)));
        (old, idx)
    }

    fn close_scoped(&mut self, old: usize) {
        self.template_params.truncate(old);
        self.scoped.pop();
    }

    // --- Top level ---

    /// `<mangled-name>`, which must take the whole input.
    pub(super) fn parse(&mut self) -> Option<NodeId> {
        if self.consume_if(b"_Z") || self.consume_if(b"__Z") {
            let mut encoding = self.parse_encoding()?;
            if self.look(0) == b'.' {
                let suffix = &self.s[self.pos..];
                encoding = self.make(Kind::DotSuffix(encoding, suffix));
                self.pos = self.s.len();
            }
            return (self.num_left() == 0).then_some(encoding);
        }
        if self.consume_if(b"___Z") || self.consume_if(b"____Z") {
            let encoding = self.parse_encoding()?;
            if !self.consume_if(b"_block_invoke") {
                return None;
            }
            let require_number = self.consume_byte(b'_');
            if self.parse_number(false).is_empty() && require_number {
                return None;
            }
            if self.look(0) == b'.' {
                self.pos = self.s.len();
            }
            if self.num_left() != 0 {
                return None;
            }
            return Some(self.make(Kind::SpecialName(
                b"invocation function for block in ",
                encoding,
            )));
        }
        let ty = self.parse_type()?;
        (self.num_left() == 0).then_some(ty)
    }

    /// Whether every forward template reference is resolved (they are the outermost
    /// template arguments, known once the name is parsed).
    fn resolve_forward_template_refs(&mut self, state: &NameState) -> bool {
        for i in state.forward_refs_begin..self.forward_refs.len() {
            let fr = self.forward_refs[i];
            let Kind::ForwardTemplateReference(index, _) = *self.ast.kind(fr) else {
                return false;
            };
            let Some(Some(list)) = self.template_params.first().copied() else {
                return false;
            };
            let Some(&target) = self.list_ref(list).get(index) else {
                return false;
            };
            self.ast.nodes[fr as usize].kind = Kind::ForwardTemplateReference(index, Some(target));
        }
        self.forward_refs.truncate(state.forward_refs_begin);
        true
    }

    /// `<encoding>`: a function (name and parameter types), data or special name.
    fn parse_encoding(&mut self) -> Option<NodeId> {
        self.nested(|p| {
            // The encoding's template parameters are unrelated to the enclosing ones.
            let saved_params = std::mem::take(&mut p.template_params);
            let saved_outer = std::mem::take(&mut p.outer);
            let r = p.parse_encoding_inner();
            p.template_params = saved_params;
            p.outer = saved_outer;
            r
        })
    }

    fn is_end_of_encoding(&self) -> bool {
        self.num_left() == 0 || matches!(self.look(0), b'E' | b'.' | b'_')
    }

    fn parse_encoding_inner(&mut self) -> Option<NodeId> {
        if matches!(self.look(0), b'G' | b'T') {
            return self.parse_special_name();
        }
        let mut state = NameState {
            ctor_dtor_conversion: false,
            ends_with_template_args: false,
            cv: 0,
            ref_qual: RefQual::None,
            forward_refs_begin: self.forward_refs.len(),
            has_explicit_object_parameter: false,
        };
        let name = self.parse_name(Some(&mut state))?;
        if !self.resolve_forward_template_refs(&state) {
            return None;
        }
        if self.is_end_of_encoding() {
            return Some(name);
        }
        let mut attrs = None;
        if self.consume_if(b"Ua9enable_ifI") {
            let begin = self.names.len();
            while !self.consume_byte(b'E') {
                let arg = self.parse_template_arg()?;
                self.names.push(arg);
            }
            let list = self.pop_list(begin);
            attrs = Some(self.make(Kind::EnableIfAttr(list)));
        }
        let mut ret = None;
        if !state.ctor_dtor_conversion && state.ends_with_template_args {
            ret = Some(self.parse_type()?);
        }
        let mut params = List::default();
        if !self.consume_byte(b'v') {
            let begin = self.names.len();
            loop {
                let mut ty = self.parse_type()?;
                let first = begin == self.names.len();
                if state.has_explicit_object_parameter && first {
                    ty = self.make(Kind::ExplicitObjectParameter(ty));
                }
                self.names.push(ty);
                if self.is_end_of_encoding() || self.look(0) == b'Q' {
                    break;
                }
            }
            params = self.pop_list(begin);
        }
        let mut requires = None;
        if self.consume_byte(b'Q') {
            requires = Some(self.parse_constraint_expr()?);
        }
        Some(self.make(Kind::FunctionEncoding {
            ret,
            name,
            params,
            attrs,
            requires,
            cv: state.cv,
            ref_qual: state.ref_qual,
        }))
    }

    // --- Names ---

    /// `<name>`.
    fn parse_name(&mut self, state: Option<&mut NameState>) -> Option<NodeId> {
        self.nested(|p| p.parse_name_inner(state))
    }

    fn parse_name_inner(&mut self, mut state: Option<&mut NameState>) -> Option<NodeId> {
        match self.look(0) {
            b'N' => return self.parse_nested_name(state),
            b'Z' => return self.parse_local_name(state),
            _ => {}
        }
        let mut is_subst = false;
        let result = self.parse_unscoped_name(state.as_deref_mut(), &mut is_subst)?;
        if self.look(0) == b'I' {
            // An unscoped template name is substitutable.
            if !is_subst {
                self.subs.push(result);
            }
            let ta = self.parse_template_args(state.is_some())?;
            if let Some(st) = state {
                st.ends_with_template_args = true;
            }
            return Some(self.make(Kind::NameWithTemplateArgs(result, ta)));
        }
        // A substitution here must be followed by template arguments.
        (!is_subst).then_some(result)
    }

    /// `<local-name>`: `Z <function encoding> E <entity name> [<discriminator>]`.
    fn parse_local_name(&mut self, state: Option<&mut NameState>) -> Option<NodeId> {
        if !self.consume_byte(b'Z') {
            return None;
        }
        let encoding = self.parse_encoding()?;
        if !self.consume_byte(b'E') {
            return None;
        }
        if self.consume_byte(b's') {
            self.parse_discriminator();
            let name = self.name(b"string literal");
            return Some(self.make(Kind::Local(encoding, name)));
        }
        // The inner name's template parameters are unrelated to the enclosing ones.
        let saved_params = std::mem::take(&mut self.template_params);
        let saved_outer = std::mem::take(&mut self.outer);
        let r = (|| {
            if self.consume_byte(b'd') {
                self.parse_number(true);
                if !self.consume_byte(b'_') {
                    return None;
                }
                let n = self.parse_name(state)?;
                return Some(self.make(Kind::Local(encoding, n)));
            }
            let entity = self.parse_name(state)?;
            self.parse_discriminator();
            Some(self.make(Kind::Local(encoding, entity)))
        })();
        self.template_params = saved_params;
        self.outer = saved_outer;
        r
    }

    /// Skips a `<discriminator>`: `_ <digit>`, `__ <number> _`, or trailing digits.
    fn parse_discriminator(&mut self) {
        let rest = &self.s[self.pos..];
        match rest.first() {
            Some(b'_') => match rest.get(1) {
                Some(c) if c.is_ascii_digit() => self.pos += 2,
                Some(b'_') => {
                    let digits = rest[2..].iter().take_while(|c| c.is_ascii_digit()).count();
                    if rest.get(2 + digits) == Some(&b'_') {
                        self.pos += 3 + digits;
                    }
                }
                _ => {}
            },
            // Trailing digits: only at the end of the name.
            Some(_) if rest.iter().all(u8::is_ascii_digit) => self.pos = self.s.len(),
            _ => {}
        }
    }

    /// `<unscoped-name>`: `[St] <unqualified-name>`, or a substitution.
    fn parse_unscoped_name(
        &mut self,
        state: Option<&mut NameState>,
        is_subst: &mut bool,
    ) -> Option<NodeId> {
        let std = if self.consume_if(b"St") {
            Some(self.name(b"std"))
        } else {
            None
        };
        let mut module = None;
        if self.look(0) == b'S' {
            let s = self.parse_substitution()?;
            if matches!(self.ast.kind(s), Kind::ModuleName(..)) {
                module = Some(s);
            } else if std.is_none() {
                *is_subst = true;
                return Some(s);
            } else {
                return None;
            }
        }
        self.parse_unqualified_name(state, std, module)
    }

    /// `<unqualified-name>`, nested in `scope` if given.
    fn parse_unqualified_name(
        &mut self,
        mut state: Option<&mut NameState>,
        mut scope: Option<NodeId>,
        mut module: Option<NodeId>,
    ) -> Option<NodeId> {
        if !self.parse_module_name_opt(&mut module) {
            return None;
        }
        let member_like_friend = scope.is_some() && self.consume_byte(b'F');
        self.consume_byte(b'L');
        let c = self.look(0);
        let mut result = if (b'1'..=b'9').contains(&c) {
            self.parse_source_name()?
        } else if c == b'U' {
            self.parse_unnamed_type_name(state.as_deref_mut())?
        } else if self.consume_if(b"DC") {
            // A structured binding.
            let begin = self.names.len();
            loop {
                let binding = self.parse_source_name()?;
                self.names.push(binding);
                if self.consume_byte(b'E') {
                    break;
                }
            }
            let list = self.pop_list(begin);
            self.make(Kind::StructuredBindingName(list))
        } else if c == b'C' || c == b'D' {
            let (Some(sc), None) = (scope.as_mut(), module) else {
                return None;
            };
            self.parse_ctor_dtor_name(sc, state.as_deref_mut())?
        } else {
            self.parse_operator_name(state)?
        };
        if let Some(m) = module {
            result = self.make(Kind::ModuleEntity(m, result));
        }
        result = self.parse_abi_tags(result)?;
        Some(match scope {
            Some(sc) if member_like_friend => self.make(Kind::MemberLikeFriendName(sc, result)),
            Some(sc) => self.make(Kind::Nested(sc, result)),
            None => result,
        })
    }

    /// `<module-name>`: `W [P] <source-name>`, repeated. False on a malformed one.
    fn parse_module_name_opt(&mut self, module: &mut Option<NodeId>) -> bool {
        while self.consume_byte(b'W') {
            let partition = self.consume_byte(b'P');
            let Some(sub) = self.parse_source_name() else {
                return false;
            };
            let m = self.make(Kind::ModuleName(*module, sub, partition));
            *module = Some(m);
            self.subs.push(m);
        }
        true
    }

    /// `<unnamed-type-name>`: `Ut [<number>] _`, a closure type `Ul ... E [<number>] _`,
    /// or a block literal `Ub`.
    fn parse_unnamed_type_name(&mut self, state: Option<&mut NameState>) -> Option<NodeId> {
        // Template parameters refer to the innermost template arguments.
        if state.is_some() {
            self.template_params.clear();
        }
        if self.consume_if(b"Ut") {
            let count = self.parse_number(false);
            if !self.consume_byte(b'_') {
                return None;
            }
            return Some(self.make(Kind::UnnamedTypeName(count)));
        }
        if self.consume_if(b"Ul") {
            let saved_level = std::mem::replace(
                &mut self.parsing_lambda_params_at_level,
                self.template_params.len(),
            );
            let (old, idx) = self.open_scoped();
            let r = self.parse_closure_type(idx);
            self.close_scoped(old);
            self.parsing_lambda_params_at_level = saved_level;
            return r;
        }
        if self.consume_if(b"Ub") {
            self.parse_number(false);
            if !self.consume_byte(b'_') {
                return None;
            }
            return Some(self.name(b"'block-literal'"));
        }
        None
    }

    /// The rest of `Ul <lambda-sig> E [<number>] _`, with `params` its template
    /// parameter list.
    fn parse_closure_type(&mut self, params: usize) -> Option<NodeId> {
        let begin = self.names.len();
        while self.is_template_param_decl() {
            let t = self.parse_template_param_decl(Some(params))?;
            self.names.push(t);
        }
        let template_params = self.pop_list(begin);
        // Without explicit template parameters, `auto` parameters make the list.
        if template_params.is_empty() {
            self.template_params.pop();
        }
        let mut requires1 = None;
        if self.consume_byte(b'Q') {
            requires1 = Some(self.parse_constraint_expr()?);
        }
        if !self.consume_byte(b'v') {
            loop {
                let p = self.parse_type()?;
                self.names.push(p);
                if matches!(self.look(0), b'E' | b'Q') {
                    break;
                }
            }
        }
        let fn_params = self.pop_list(begin);
        let mut requires2 = None;
        if self.consume_byte(b'Q') {
            requires2 = Some(self.parse_constraint_expr()?);
        }
        if !self.consume_byte(b'E') {
            return None;
        }
        let count = self.parse_number(false);
        if !self.consume_byte(b'_') {
            return None;
        }
        Some(self.make(Kind::ClosureTypeName {
            template_params,
            requires1,
            params: fn_params,
            requires2,
            count,
        }))
    }

    /// `<source-name>`: a length and that many bytes.
    fn parse_source_name(&mut self) -> Option<NodeId> {
        let len = self.parse_positive_integer()?;
        if self.num_left() < len || len == 0 {
            return None;
        }
        let name = &self.s[self.pos..self.pos + len];
        self.pos += len;
        if name.starts_with(b"_GLOBAL__N") {
            return Some(self.name(b"(anonymous namespace)"));
        }
        Some(self.name(name))
    }

    fn parse_operator_encoding(&mut self) -> Option<&'static Op> {
        if self.num_left() < 2 {
            return None;
        }
        let enc = [self.look(0), self.look(1)];
        let op = match OPS.binary_search_by(|o| o.enc.cmp(&enc)) {
            Ok(i) => &OPS[i],
            Err(_) => return None,
        };
        self.pos += 2;
        Some(op)
    }

    /// `<operator-name>`, `li <source-name>` or `v <digit> <source-name>`.
    fn parse_operator_name(&mut self, state: Option<&mut NameState>) -> Option<NodeId> {
        if let Some(op) = self.parse_operator_encoding() {
            if op.kind == OpKind::CCast {
                // `cv <type>`: a conversion operator, whose type may use template
                // parameters whose arguments come later in an encoding.
                let saved_try = std::mem::replace(&mut self.try_to_parse_template_args, false);
                let permit = self.permit_forward_template_references || state.is_some();
                let saved_permit =
                    std::mem::replace(&mut self.permit_forward_template_references, permit);
                let ty = self.parse_type();
                self.try_to_parse_template_args = saved_try;
                self.permit_forward_template_references = saved_permit;
                let ty = ty?;
                if let Some(st) = state {
                    st.ctor_dtor_conversion = true;
                }
                return Some(self.make(Kind::ConversionOperatorType(ty)));
            }
            if op.kind >= OpKind::NamedCast || (op.kind == OpKind::Member && !op.flag) {
                return None;
            }
            return Some(self.name(op.name.as_bytes()));
        }
        if self.consume_if(b"li") {
            let sn = self.parse_source_name()?;
            return Some(self.make(Kind::LiteralOperator(sn)));
        }
        if self.consume_byte(b'v') {
            if self.look(0).is_ascii_digit() {
                self.pos += 1;
                let sn = self.parse_source_name()?;
                return Some(self.make(Kind::ConversionOperatorType(sn)));
            }
            return None;
        }
        None
    }

    /// `<ctor-dtor-name>`: `C1`..`C5` (with `CI` for inheriting constructors), `D0`..`D5`.
    fn parse_ctor_dtor_name(
        &mut self,
        so_far: &mut NodeId,
        state: Option<&mut NameState>,
    ) -> Option<NodeId> {
        if let Kind::SpecialSubstitution(k) = *self.ast.kind(*so_far) {
            *so_far = self.make(Kind::ExpandedSpecialSubstitution(k));
        }
        if self.consume_byte(b'C') {
            let inherited = self.consume_byte(b'I');
            if !(b'1'..=b'5').contains(&self.look(0)) {
                return None;
            }
            self.pos += 1;
            let mut state = state;
            if let Some(st) = state.as_deref_mut() {
                st.ctor_dtor_conversion = true;
            }
            if inherited {
                self.parse_name(state)?;
            }
            return Some(self.make(Kind::CtorDtorName(*so_far, false)));
        }
        if self.look(0) == b'D' && matches!(self.look(1), b'0' | b'1' | b'2' | b'4' | b'5') {
            self.pos += 2;
            if let Some(st) = state {
                st.ctor_dtor_conversion = true;
            }
            return Some(self.make(Kind::CtorDtorName(*so_far, true)));
        }
        None
    }

    /// `<nested-name>`: `N [<CV-qualifiers>] [<ref-qualifier>] <prefix> <name> E`.
    fn parse_nested_name(&mut self, mut state: Option<&mut NameState>) -> Option<NodeId> {
        if !self.consume_byte(b'N') {
            return None;
        }
        // `H`: the function has an explicit object parameter.
        if !self.consume_byte(b'H') {
            let cv = self.parse_cv_qualifiers();
            let ref_qual = if self.consume_byte(b'O') {
                RefQual::RValue
            } else if self.consume_byte(b'R') {
                RefQual::LValue
            } else {
                RefQual::None
            };
            if let Some(st) = state.as_deref_mut() {
                st.cv = cv;
                st.ref_qual = ref_qual;
            }
        } else if let Some(st) = state.as_deref_mut() {
            st.has_explicit_object_parameter = true;
        }
        let mut so_far: Option<NodeId> = None;
        while !self.consume_byte(b'E') {
            if let Some(st) = state.as_deref_mut() {
                st.ends_with_template_args = false;
            }
            match (self.look(0), self.look(1)) {
                (b'T', _) => {
                    if so_far.is_some() {
                        return None;
                    }
                    so_far = self.parse_template_param();
                }
                (b'I', _) => {
                    let sf = so_far?;
                    let ta = self.parse_template_args(state.is_some())?;
                    // Template arguments twice in a row cannot come from C++.
                    if matches!(self.ast.kind(sf), Kind::NameWithTemplateArgs(..)) {
                        return None;
                    }
                    if let Some(st) = state.as_deref_mut() {
                        st.ends_with_template_args = true;
                    }
                    so_far = Some(self.make(Kind::NameWithTemplateArgs(sf, ta)));
                }
                (b'D', b't' | b'T') => {
                    if so_far.is_some() {
                        return None;
                    }
                    so_far = self.parse_decltype();
                }
                (c, c1) => {
                    let mut module = None;
                    if c == b'S' {
                        let s = if c1 == b't' {
                            self.pos += 2;
                            self.name(b"std")
                        } else {
                            self.parse_substitution()?
                        };
                        if matches!(self.ast.kind(s), Kind::ModuleName(..)) {
                            module = Some(s);
                        } else if so_far.is_some() {
                            return None;
                        } else {
                            // A substitution is not substituted again.
                            so_far = Some(s);
                            continue;
                        }
                    }
                    so_far = self.parse_unqualified_name(state.as_deref_mut(), so_far, module);
                }
            }
            let sf = so_far?;
            self.subs.push(sf);
            // `<data-member-prefix>`'s `M`, no longer used.
            self.consume_byte(b'M');
        }
        let sf = so_far?;
        self.subs.pop()?;
        Some(sf)
    }

    /// `<simple-id>`: `<source-name> [<template-args>]`.
    fn parse_simple_id(&mut self) -> Option<NodeId> {
        let sn = self.parse_source_name()?;
        if self.look(0) == b'I' {
            let ta = self.parse_template_args(false)?;
            return Some(self.make(Kind::NameWithTemplateArgs(sn, ta)));
        }
        Some(sn)
    }

    /// `<destructor-name>`: an unresolved type or a simple id.
    fn parse_destructor_name(&mut self) -> Option<NodeId> {
        let r = if self.look(0).is_ascii_digit() {
            self.parse_simple_id()?
        } else {
            self.parse_unresolved_type()?
        };
        Some(self.make(Kind::DtorName(r)))
    }

    /// `<unresolved-type>`: a template parameter, decltype or substitution.
    fn parse_unresolved_type(&mut self) -> Option<NodeId> {
        match self.look(0) {
            b'T' => {
                let tp = self.parse_template_param()?;
                self.subs.push(tp);
                Some(tp)
            }
            b'D' => {
                let dt = self.parse_decltype()?;
                self.subs.push(dt);
                Some(dt)
            }
            _ => self.parse_substitution(),
        }
    }

    /// `<base-unresolved-name>`.
    fn parse_base_unresolved_name(&mut self) -> Option<NodeId> {
        if self.look(0).is_ascii_digit() {
            return self.parse_simple_id();
        }
        if self.consume_if(b"dn") {
            return self.parse_destructor_name();
        }
        self.consume_if(b"on");
        let oper = self.parse_operator_name(None)?;
        if self.look(0) == b'I' {
            let ta = self.parse_template_args(false)?;
            return Some(self.make(Kind::NameWithTemplateArgs(oper, ta)));
        }
        Some(oper)
    }

    /// `<unresolved-name>`; `global` if `gs` came before.
    fn parse_unresolved_name(&mut self, global: bool) -> Option<NodeId> {
        if self.consume_if(b"srN") {
            let mut so_far = self.parse_unresolved_type()?;
            if self.look(0) == b'I' {
                let ta = self.parse_template_args(false)?;
                so_far = self.make(Kind::NameWithTemplateArgs(so_far, ta));
            }
            while !self.consume_byte(b'E') {
                let qual = self.parse_simple_id()?;
                so_far = self.make(Kind::Qualified(so_far, qual));
            }
            let base = self.parse_base_unresolved_name()?;
            return Some(self.make(Kind::Qualified(so_far, base)));
        }
        if !self.consume_if(b"sr") {
            let so_far = self.parse_base_unresolved_name()?;
            return Some(if global {
                self.make(Kind::GlobalQualifiedName(so_far))
            } else {
                so_far
            });
        }
        let mut so_far: Option<NodeId> = None;
        if self.look(0).is_ascii_digit() {
            loop {
                let qual = self.parse_simple_id()?;
                so_far = Some(match so_far {
                    Some(sf) => self.make(Kind::Qualified(sf, qual)),
                    None if global => self.make(Kind::GlobalQualifiedName(qual)),
                    None => qual,
                });
                if self.consume_byte(b'E') {
                    break;
                }
            }
        } else {
            let mut sf = self.parse_unresolved_type()?;
            if self.look(0) == b'I' {
                let ta = self.parse_template_args(false)?;
                sf = self.make(Kind::NameWithTemplateArgs(sf, ta));
            }
            so_far = Some(sf);
        }
        let so_far = so_far?;
        let base = self.parse_base_unresolved_name()?;
        Some(self.make(Kind::Qualified(so_far, base)))
    }

    /// `<abi-tags>`: `B <source-name>`, repeated.
    fn parse_abi_tags(&mut self, mut n: NodeId) -> Option<NodeId> {
        while self.consume_byte(b'B') {
            let sn = self.parse_bare_source_name();
            if sn.is_empty() {
                return None;
            }
            n = self.make(Kind::AbiTagAttr(n, sn));
        }
        Some(n)
    }

    /// `<number>`: `[n] <digits>`, as the text; empty if no digits (an `n` stays read).
    fn parse_number(&mut self, allow_negative: bool) -> Str<'s> {
        let start = self.pos;
        if allow_negative {
            self.consume_byte(b'n');
        }
        if !self.look(0).is_ascii_digit() || self.num_left() == 0 {
            return b"";
        }
        while self.num_left() != 0 && self.look(0).is_ascii_digit() {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    /// Decimal digits as a number (wrapping like C's `size_t`); None without digits.
    fn parse_positive_integer(&mut self) -> Option<usize> {
        if !self.look(0).is_ascii_digit() || self.num_left() == 0 {
            return None;
        }
        let mut n: usize = 0;
        while self.num_left() != 0 && self.look(0).is_ascii_digit() {
            n = n
                .wrapping_mul(10)
                .wrapping_add(usize::from(self.look(0) - b'0'));
            self.pos += 1;
        }
        Some(n)
    }

    /// A length and that many bytes, or empty.
    fn parse_bare_source_name(&mut self) -> Str<'s> {
        match self.parse_positive_integer() {
            Some(n) if self.num_left() >= n => {
                let r = &self.s[self.pos..self.pos + n];
                self.pos += n;
                r
            }
            _ => b"",
        }
    }

    // --- Types ---

    /// `<function-type>`.
    fn parse_function_type(&mut self) -> Option<NodeId> {
        let cv = self.parse_cv_qualifiers();
        let mut exception = None;
        if self.consume_if(b"Do") {
            exception = Some(self.name(b"noexcept"));
        } else if self.consume_if(b"DO") {
            let e = self.parse_expr()?;
            if !self.consume_byte(b'E') {
                return None;
            }
            exception = Some(self.make(Kind::NoexceptSpec(e)));
        } else if self.consume_if(b"Dw") {
            let begin = self.names.len();
            while !self.consume_byte(b'E') {
                let t = self.parse_type()?;
                self.names.push(t);
            }
            let list = self.pop_list(begin);
            exception = Some(self.make(Kind::DynamicExceptionSpec(list)));
        }
        self.consume_if(b"Dx"); // transaction safe
        if !self.consume_byte(b'F') {
            return None;
        }
        self.consume_byte(b'Y'); // extern "C"
        let ret = self.parse_type()?;
        let mut ref_qual = RefQual::None;
        let begin = self.names.len();
        loop {
            if self.consume_byte(b'E') {
                break;
            }
            if self.consume_byte(b'v') {
                continue;
            }
            if self.consume_if(b"RE") {
                ref_qual = RefQual::LValue;
                break;
            }
            if self.consume_if(b"OE") {
                ref_qual = RefQual::RValue;
                break;
            }
            let t = self.parse_type()?;
            self.names.push(t);
        }
        let params = self.pop_list(begin);
        Some(self.make(Kind::Function {
            ret,
            params,
            cv,
            ref_qual,
            exception,
        }))
    }

    /// `<vector-type>`: `Dv <number> _ <type>` or `Dv [<expression>] _ <type>`.
    fn parse_vector_type(&mut self) -> Option<NodeId> {
        if !self.consume_if(b"Dv") {
            return None;
        }
        if (b'1'..=b'9').contains(&self.look(0)) {
            let n = self.parse_number(false);
            let dim = self.name(n);
            if !self.consume_byte(b'_') {
                return None;
            }
            if self.consume_byte(b'p') {
                return Some(self.make(Kind::PixelVector(dim)));
            }
            let elem = self.parse_type()?;
            return Some(self.make(Kind::Vector(elem, Some(dim))));
        }
        if !self.consume_byte(b'_') {
            let dim = self.parse_expr()?;
            if !self.consume_byte(b'_') {
                return None;
            }
            let elem = self.parse_type()?;
            return Some(self.make(Kind::Vector(elem, Some(dim))));
        }
        let elem = self.parse_type()?;
        Some(self.make(Kind::Vector(elem, None)))
    }

    /// `<decltype>`: `Dt <expression> E` or `DT <expression> E`.
    fn parse_decltype(&mut self) -> Option<NodeId> {
        if !self.consume_byte(b'D') {
            return None;
        }
        if !self.consume_byte(b't') && !self.consume_byte(b'T') {
            return None;
        }
        let e = self.parse_expr()?;
        if !self.consume_byte(b'E') {
            return None;
        }
        Some(self.make(Kind::EnclosingExpr(b"decltype", e)))
    }

    /// `<array-type>`: `A <number> _ <type>` or `A [<expression>] _ <type>`.
    fn parse_array_type(&mut self) -> Option<NodeId> {
        if !self.consume_byte(b'A') {
            return None;
        }
        let mut dim = None;
        if self.look(0).is_ascii_digit() {
            let n = self.parse_number(false);
            dim = Some(self.name(n));
            if !self.consume_byte(b'_') {
                return None;
            }
        } else if !self.consume_byte(b'_') {
            dim = Some(self.parse_expr()?);
            if !self.consume_byte(b'_') {
                return None;
            }
        }
        let ty = self.parse_type()?;
        Some(self.make(Kind::Array(ty, dim)))
    }

    /// `<pointer-to-member-type>`: `M <class type> <member type>`.
    fn parse_pointer_to_member_type(&mut self) -> Option<NodeId> {
        if !self.consume_byte(b'M') {
            return None;
        }
        let class = self.parse_type()?;
        let member = self.parse_type()?;
        Some(self.make(Kind::PointerToMember(class, member)))
    }

    /// `<class-enum-type>`: `[Ts|Tu|Te] <name>`.
    fn parse_class_enum_type(&mut self) -> Option<NodeId> {
        let elab: Str<'static> = if self.consume_if(b"Ts") {
            b"struct"
        } else if self.consume_if(b"Tu") {
            b"union"
        } else if self.consume_if(b"Te") {
            b"enum"
        } else {
            b""
        };
        let name = self.parse_name(None)?;
        if !elab.is_empty() {
            return Some(self.make(Kind::ElaboratedTypeSpefType(elab, name)));
        }
        Some(name)
    }

    /// `<qualified-type>`: vendor qualifiers `U <source-name> [<template-args>]`, or
    /// CV-qualifiers, then the type.
    fn parse_qualified_type(&mut self) -> Option<NodeId> {
        self.nested(|p| p.parse_qualified_type_inner())
    }

    fn parse_qualified_type_inner(&mut self) -> Option<NodeId> {
        if self.consume_byte(b'U') {
            let qual = self.parse_bare_source_name();
            if qual.is_empty() {
                return None;
            }
            if let Some(proto_source) = qual.strip_prefix(b"objcproto") {
                // `U <objc-name> <objc-type>`: a protocol-qualified Objective-C type.
                let proto = bare_source_name_in(proto_source);
                if proto.is_empty() {
                    return None;
                }
                let child = self.parse_qualified_type()?;
                return Some(self.make(Kind::ObjCProtoName(child, proto)));
            }
            let mut ta = None;
            if self.look(0) == b'I' {
                ta = Some(self.parse_template_args(false)?);
            }
            let child = self.parse_qualified_type()?;
            return Some(self.make(Kind::VendorExtQualType(child, qual, ta)));
        }
        let quals = self.parse_cv_qualifiers();
        let ty = self.parse_type()?;
        if quals != 0 {
            return Some(self.make(Kind::QualType(ty, quals)));
        }
        Some(ty)
    }

    /// `<type>`.
    fn parse_type(&mut self) -> Option<NodeId> {
        self.nested(|p| p.parse_type_inner())
    }

    fn parse_type_inner(&mut self) -> Option<NodeId> {
        let builtin: Option<Str<'static>> = match self.look(0) {
            b'v' => Some(b"void"),
            b'w' => Some(b"wchar_t"),
            b'b' => Some(b"bool"),
            b'c' => Some(b"char"),
            b'a' => Some(b"signed char"),
            b'h' => Some(b"unsigned char"),
            b's' => Some(b"short"),
            b't' => Some(b"unsigned short"),
            b'i' => Some(b"int"),
            b'j' => Some(b"unsigned int"),
            b'l' => Some(b"long"),
            b'm' => Some(b"unsigned long"),
            b'x' => Some(b"long long"),
            b'y' => Some(b"unsigned long long"),
            b'n' => Some(b"__int128"),
            b'o' => Some(b"unsigned __int128"),
            b'f' => Some(b"float"),
            b'd' => Some(b"double"),
            b'e' => Some(b"long double"),
            b'g' => Some(b"__float128"),
            b'z' => Some(b"..."),
            _ => None,
        };
        if let Some(b) = builtin {
            self.pos += 1;
            // Builtin types are not substitution candidates.
            return Some(self.name(b));
        }
        let result = match self.look(0) {
            b'r' | b'V' | b'K' => {
                let mut after = 0;
                for q in [b'r', b'V', b'K'] {
                    if self.look(after) == q {
                        after += 1;
                    }
                }
                let c = self.look(after);
                let c1 = self.look(after + 1);
                if c == b'F' || (c == b'D' && matches!(c1, b'o' | b'O' | b'w' | b'x')) {
                    self.parse_function_type()?
                } else {
                    self.parse_qualified_type()?
                }
            }
            b'U' => self.parse_qualified_type()?,
            b'u' => {
                // A vendor extended type: unlike other builtins, substitutable.
                self.pos += 1;
                let res = self.parse_bare_source_name();
                if res.is_empty() {
                    return None;
                }
                if self.consume_byte(b'I') {
                    let base = self.parse_type()?;
                    if !self.consume_byte(b'E') {
                        return None;
                    }
                    self.make(Kind::TransformedType(res, base))
                } else {
                    self.name(res)
                }
            }
            b'D' => match self.parse_d_type()? {
                DType::Final(n) => return Some(n),
                DType::Substitutable(n) => n,
            },
            b'F' => self.parse_function_type()?,
            b'A' => self.parse_array_type()?,
            b'M' => self.parse_pointer_to_member_type()?,
            b'T' => {
                // An elaborated type specifier, or a template parameter.
                if matches!(self.look(1), b's' | b'u' | b'e') {
                    self.parse_class_enum_type()?
                } else {
                    let mut r = self.parse_template_param()?;
                    // A template template parameter with its arguments.
                    if self.try_to_parse_template_args && self.look(0) == b'I' {
                        self.subs.push(r);
                        let ta = self.parse_template_args(false)?;
                        r = self.make(Kind::NameWithTemplateArgs(r, ta));
                    }
                    r
                }
            }
            b'P' => {
                self.pos += 1;
                let p = self.parse_type()?;
                self.make(Kind::Pointer(p))
            }
            b'R' | b'O' => {
                let rvalue = self.look(0) == b'O';
                self.pos += 1;
                let p = self.parse_type()?;
                self.make(Kind::Reference(p, rvalue))
            }
            b'C' => {
                self.pos += 1;
                let p = self.parse_type()?;
                self.make(Kind::PostfixQualifiedType(p, b" complex"))
            }
            b'G' => {
                self.pos += 1;
                let p = self.parse_type()?;
                self.make(Kind::PostfixQualifiedType(p, b" imaginary"))
            }
            b'S' if self.look(1) != b't' => {
                let mut is_subst = false;
                let mut r = self.parse_unscoped_name(None, &mut is_subst)?;
                // A template template parameter with its arguments.
                if self.look(0) == b'I' && (!is_subst || self.try_to_parse_template_args) {
                    if !is_subst {
                        self.subs.push(r);
                    }
                    let ta = self.parse_template_args(false)?;
                    r = self.make(Kind::NameWithTemplateArgs(r, ta));
                } else if is_subst {
                    // A bare substitution is not substituted again.
                    return Some(r);
                }
                r
            }
            _ => self.parse_class_enum_type()?,
        };
        self.subs.push(result);
        Some(result)
    }

    /// The `D...` types.
    fn parse_d_type(&mut self) -> Option<DType> {
        let fixed = |p: &mut Self, s: Str<'static>| {
            p.pos += 2;
            Some(DType::Final(p.name(s)))
        };
        match self.look(1) {
            b'd' => fixed(self, b"decimal64"),
            b'e' => fixed(self, b"decimal128"),
            b'f' => fixed(self, b"decimal32"),
            b'h' => fixed(self, b"half"),
            b'i' => fixed(self, b"char32_t"),
            b's' => fixed(self, b"char16_t"),
            b'u' => fixed(self, b"char8_t"),
            b'a' => fixed(self, b"auto"),
            b'c' => fixed(self, b"decltype(auto)"),
            b'n' => fixed(self, b"std::nullptr_t"),
            b'F' => {
                self.pos += 2;
                if self.consume_if(b"16b") {
                    return Some(DType::Final(self.name(b"std::bfloat16_t")));
                }
                let n = self.parse_number(false);
                let dim = self.name(n);
                if !self.consume_byte(b'_') {
                    return None;
                }
                Some(DType::Final(self.make(Kind::BinaryFP(dim))))
            }
            b'A' | b'R' => {
                let accum = self.look(1) == b'A';
                let c = self.look(2);
                self.skip(3);
                let name = fixed_point_name(false, accum, c)?;
                Some(DType::Final(self.name(name)))
            }
            b'S' => {
                self.pos += 2;
                if self.look(0) != b'D' || !matches!(self.look(1), b'A' | b'R') {
                    return None;
                }
                let accum = self.look(1) == b'A';
                let c = self.look(2);
                self.skip(3);
                let name = fixed_point_name(true, accum, c)?;
                Some(DType::Final(self.name(name)))
            }
            b'B' | b'U' => {
                let signed = self.look(1) == b'B';
                self.pos += 2;
                let size = if self.look(0).is_ascii_digit() {
                    let n = self.parse_number(false);
                    self.name(n)
                } else {
                    self.parse_expr()?
                };
                if !self.consume_byte(b'_') {
                    return None;
                }
                Some(DType::Substitutable(self.make(Kind::BitInt(size, signed))))
            }
            b'k' | b'K' => {
                let kind: Str<'static> = if self.look(1) == b'k' {
                    b" auto"
                } else {
                    b" decltype(auto)"
                };
                self.pos += 2;
                let constraint = self.parse_name(None)?;
                Some(DType::Final(
                    self.make(Kind::PostfixQualifiedType(constraint, kind)),
                ))
            }
            b't' | b'T' => Some(DType::Substitutable(self.parse_decltype()?)),
            b'v' => Some(DType::Substitutable(self.parse_vector_type()?)),
            b'p' => {
                self.pos += 2;
                let child = self.parse_type()?;
                Some(DType::Substitutable(
                    self.make(Kind::ParameterPackExpansion(child)),
                ))
            }
            b'o' | b'O' | b'w' | b'x' => Some(DType::Substitutable(self.parse_function_type()?)),
            _ => None,
        }
    }

    /// `<CV-qualifiers>`: `[r] [V] [K]`.
    fn parse_cv_qualifiers(&mut self) -> u8 {
        let mut q = 0;
        if self.consume_byte(b'r') {
            q |= QUAL_RESTRICT;
        }
        if self.consume_byte(b'V') {
            q |= QUAL_VOLATILE;
        }
        if self.consume_byte(b'K') {
            q |= QUAL_CONST;
        }
        q
    }

    // --- Expressions ---

    fn parse_prefix_expr(&mut self, kind: Str<'s>, prec: Prec) -> Option<NodeId> {
        let e = self.parse_expr()?;
        Some(self.make_prec(Kind::PrefixExpr(kind, e), prec))
    }

    fn parse_binary_expr(&mut self, kind: Str<'s>, prec: Prec) -> Option<NodeId> {
        let lhs = self.parse_expr()?;
        let rhs = self.parse_expr()?;
        Some(self.make_prec(Kind::BinaryExpr(lhs, kind, rhs), prec))
    }

    fn parse_integer_literal(&mut self, lit: Str<'s>) -> Option<NodeId> {
        let n = self.parse_number(true);
        if !n.is_empty() && self.consume_byte(b'E') {
            return Some(self.make(Kind::IntegerLiteral(lit, n)));
        }
        None
    }

    /// `<function-param>`: `fp ... _`, `fL ... p ... _`, or `fpT` (`this`).
    fn parse_function_param(&mut self) -> Option<NodeId> {
        if self.consume_if(b"fpT") {
            return Some(self.name(b"this"));
        }
        if self.consume_if(b"fp") {
            self.parse_cv_qualifiers();
            let num = self.parse_number(false);
            if !self.consume_byte(b'_') {
                return None;
            }
            return Some(self.make(Kind::FunctionParam(num)));
        }
        if self.consume_if(b"fL") {
            if self.parse_number(false).is_empty() || !self.consume_byte(b'p') {
                return None;
            }
            self.parse_cv_qualifiers();
            let num = self.parse_number(false);
            if !self.consume_byte(b'_') {
                return None;
            }
            return Some(self.make(Kind::FunctionParam(num)));
        }
        None
    }

    /// `<expr-primary>`: `L ... E` literals and external names.
    fn parse_expr_primary(&mut self) -> Option<NodeId> {
        if !self.consume_byte(b'L') {
            return None;
        }
        let int_type: Option<Str<'static>> = match self.look(0) {
            b'w' => Some(b"wchar_t"),
            b'c' => Some(b"char"),
            b'a' => Some(b"signed char"),
            b'h' => Some(b"unsigned char"),
            b's' => Some(b"short"),
            b't' => Some(b"unsigned short"),
            b'i' => Some(b""),
            b'j' => Some(b"u"),
            b'l' => Some(b"l"),
            b'm' => Some(b"ul"),
            b'x' => Some(b"ll"),
            b'y' => Some(b"ull"),
            b'n' => Some(b"__int128"),
            b'o' => Some(b"unsigned __int128"),
            _ => None,
        };
        if let Some(t) = int_type {
            self.pos += 1;
            return self.parse_integer_literal(t);
        }
        match self.look(0) {
            b'b' => {
                if self.consume_if(b"b0E") {
                    return Some(self.make(Kind::BoolExpr(false)));
                }
                if self.consume_if(b"b1E") {
                    return Some(self.make(Kind::BoolExpr(true)));
                }
                None
            }
            b'f' => {
                self.pos += 1;
                self.parse_floating_literal(FloatKind::Float)
            }
            b'd' => {
                self.pos += 1;
                self.parse_floating_literal(FloatKind::Double)
            }
            b'e' => {
                self.pos += 1;
                self.parse_floating_literal(FloatKind::LongDouble)
            }
            b'_' => {
                if self.consume_if(b"_Z") {
                    let r = self.parse_encoding()?;
                    if self.consume_byte(b'E') {
                        return Some(r);
                    }
                }
                None
            }
            b'A' => {
                let t = self.parse_type()?;
                if self.consume_byte(b'E') {
                    return Some(self.make(Kind::StringLiteral(t)));
                }
                None
            }
            b'D' => {
                if self.consume_if(b"Dn") && {
                    self.consume_byte(b'0');
                    self.consume_byte(b'E')
                } {
                    return Some(self.name(b"nullptr"));
                }
                None
            }
            b'T' => None,
            b'U' => {
                if self.look(1) != b'l' {
                    return None;
                }
                let t = self.parse_unnamed_type_name(None)?;
                if !self.consume_byte(b'E') {
                    return None;
                }
                Some(self.make(Kind::LambdaExpr(t)))
            }
            _ => {
                // An enumerator of a named type.
                let t = self.parse_type()?;
                let n = self.parse_number(true);
                if n.is_empty() || !self.consume_byte(b'E') {
                    return None;
                }
                Some(self.make(Kind::EnumLiteral(t, n)))
            }
        }
    }

    /// `<braced-expression>`: an expression, or a designated initializer.
    fn parse_braced_expr(&mut self) -> Option<NodeId> {
        self.nested(|p| p.parse_braced_expr_inner())
    }

    fn parse_braced_expr_inner(&mut self) -> Option<NodeId> {
        if self.look(0) == b'd' {
            match self.look(1) {
                b'i' => {
                    self.pos += 2;
                    let field = self.parse_source_name()?;
                    let init = self.parse_braced_expr()?;
                    return Some(self.make(Kind::BracedExpr(field, init, false)));
                }
                b'x' => {
                    self.pos += 2;
                    let index = self.parse_expr()?;
                    let init = self.parse_braced_expr()?;
                    return Some(self.make(Kind::BracedExpr(index, init, true)));
                }
                b'X' => {
                    self.pos += 2;
                    let first = self.parse_expr()?;
                    let last = self.parse_expr()?;
                    let init = self.parse_braced_expr()?;
                    return Some(self.make(Kind::BracedRangeExpr(first, last, init)));
                }
                _ => {}
            }
        }
        self.parse_expr()
    }

    /// `<fold-expr>`: `fL`, `fR`, `fl` or `fr`, an operator and the operands.
    fn parse_fold_expr(&mut self) -> Option<NodeId> {
        if !self.consume_byte(b'f') {
            return None;
        }
        let (left, has_init) = match self.look(0) {
            b'L' => (true, true),
            b'R' => (false, true),
            b'l' => (true, false),
            b'r' => (false, false),
            _ => return None,
        };
        self.pos += 1;
        let op = self.parse_operator_encoding()?;
        if !(op.kind == OpKind::Binary || (op.kind == OpKind::Member && op.name.ends_with('*'))) {
            return None;
        }
        let mut pack = self.parse_expr()?;
        let mut init = None;
        if has_init {
            init = Some(self.parse_expr()?);
        }
        if let (true, Some(i)) = (left, init) {
            init = Some(pack);
            pack = i;
        }
        Some(self.make(Kind::FoldExpr {
            left,
            op: op.symbol(),
            pack,
            init,
        }))
    }

    /// `mc <type> <expr> [<offset>] E`: a pointer-to-member conversion.
    fn parse_pointer_to_member_conversion_expr(&mut self, prec: Prec) -> Option<NodeId> {
        let ty = self.parse_type()?;
        let e = self.parse_expr()?;
        self.parse_number(true);
        if !self.consume_byte(b'E') {
            return None;
        }
        Some(self.make_prec(Kind::PointerToMemberConversionExpr(ty, e), prec))
    }

    /// `so <type> <expr> [<offset>] <union-selector>* [p] E`: a subobject.
    fn parse_subobject_expr(&mut self) -> Option<NodeId> {
        let ty = self.parse_type()?;
        let sub = self.parse_expr()?;
        let offset = self.parse_number(true);
        while self.consume_byte(b'_') {
            self.parse_number(false);
        }
        self.consume_byte(b'p');
        if !self.consume_byte(b'E') {
            return None;
        }
        Some(self.make(Kind::SubobjectExpr { ty, sub, offset }))
    }

    /// A constraint expression, in which template parameters print as written.
    fn parse_constraint_expr(&mut self) -> Option<NodeId> {
        let saved = std::mem::replace(&mut self.incomplete_template_parameter_tracking, true);
        let r = self.parse_expr();
        self.incomplete_template_parameter_tracking = saved;
        r
    }

    /// `rq <requirement>+ E` or `rQ <bare-function-type> _ <requirement>+ E`.
    fn parse_requires_expr(&mut self) -> Option<NodeId> {
        let mut params = List::default();
        if self.consume_if(b"rQ") {
            let begin = self.names.len();
            while !self.consume_byte(b'_') {
                let t = self.parse_type()?;
                self.names.push(t);
            }
            params = self.pop_list(begin);
        } else if !self.consume_if(b"rq") {
            return None;
        }
        let begin = self.names.len();
        loop {
            let constraint = if self.consume_byte(b'X') {
                let e = self.parse_expr()?;
                let noexcept = self.consume_byte(b'N');
                let mut type_req = None;
                if self.consume_byte(b'R') {
                    type_req = Some(self.parse_name(None)?);
                }
                self.make(Kind::ExprRequirement(e, noexcept, type_req))
            } else if self.consume_byte(b'T') {
                let t = self.parse_type()?;
                self.make(Kind::TypeRequirement(t))
            } else if self.consume_byte(b'Q') {
                let e = self.parse_expr()?;
                self.make(Kind::NestedRequirement(e))
            } else {
                return None;
            };
            self.names.push(constraint);
            if self.consume_byte(b'E') {
                break;
            }
        }
        let reqs = self.pop_list(begin);
        Some(self.make(Kind::RequiresExpr(params, reqs)))
    }

    /// `<expression>`.
    fn parse_expr(&mut self) -> Option<NodeId> {
        self.nested(|p| p.parse_expr_inner())
    }

    fn parse_expr_inner(&mut self) -> Option<NodeId> {
        let global = self.consume_if(b"gs");
        if let Some(op) = self.parse_operator_encoding() {
            let sym = op.symbol();
            let prec = op.prec;
            return match op.kind {
                OpKind::Binary => self.parse_binary_expr(sym, prec),
                OpKind::Prefix => self.parse_prefix_expr(sym, prec),
                OpKind::Postfix => {
                    if self.consume_byte(b'_') {
                        return self.parse_prefix_expr(sym, prec);
                    }
                    let e = self.parse_expr()?;
                    Some(self.make_prec(Kind::PostfixExpr(e, sym), prec))
                }
                OpKind::Array => {
                    let base = self.parse_expr()?;
                    let index = self.parse_expr()?;
                    Some(self.make_prec(Kind::ArraySubscriptExpr(base, index), prec))
                }
                OpKind::Member => {
                    let lhs = self.parse_expr()?;
                    let rhs = self.parse_expr()?;
                    Some(self.make_prec(Kind::MemberExpr(lhs, sym, rhs), prec))
                }
                OpKind::New => {
                    let begin = self.names.len();
                    while !self.consume_byte(b'_') {
                        let e = self.parse_expr()?;
                        self.names.push(e);
                    }
                    let exprs = self.pop_list(begin);
                    let ty = self.parse_type()?;
                    let have_inits = self.consume_if(b"pi");
                    let begin = self.names.len();
                    while !self.consume_byte(b'E') {
                        if !have_inits {
                            return None;
                        }
                        let e = self.parse_expr()?;
                        self.names.push(e);
                    }
                    let inits = self.pop_list(begin);
                    Some(self.make_prec(
                        Kind::NewExpr {
                            exprs,
                            ty,
                            inits,
                            global,
                            array: op.flag,
                        },
                        prec,
                    ))
                }
                OpKind::Del => {
                    let e = self.parse_expr()?;
                    Some(self.make_prec(Kind::DeleteExpr(e, global, op.flag), prec))
                }
                OpKind::Call => {
                    let callee = self.parse_expr()?;
                    let begin = self.names.len();
                    while !self.consume_byte(b'E') {
                        let e = self.parse_expr()?;
                        self.names.push(e);
                    }
                    let args = self.pop_list(begin);
                    Some(self.make_prec(Kind::CallExpr(callee, args, op.flag), prec))
                }
                OpKind::CCast => {
                    let saved = std::mem::replace(&mut self.try_to_parse_template_args, false);
                    let ty = self.parse_type();
                    self.try_to_parse_template_args = saved;
                    let ty = ty?;
                    let begin = self.names.len();
                    let many = self.consume_byte(b'_');
                    while !self.consume_byte(b'E') {
                        let e = self.parse_expr()?;
                        self.names.push(e);
                        if !many {
                            break;
                        }
                    }
                    let exprs = self.pop_list(begin);
                    if !many && self.ast.list(exprs).len() != 1 {
                        return None;
                    }
                    Some(self.make_prec(Kind::ConversionExpr(ty, exprs), prec))
                }
                OpKind::Conditional => {
                    let cond = self.parse_expr()?;
                    let lhs = self.parse_expr()?;
                    let rhs = self.parse_expr()?;
                    Some(self.make_prec(Kind::ConditionalExpr(cond, lhs, rhs), prec))
                }
                OpKind::NamedCast => {
                    let ty = self.parse_type()?;
                    let e = self.parse_expr()?;
                    Some(self.make_prec(Kind::CastExpr(sym, ty, e), prec))
                }
                OpKind::OfIdOp => {
                    let arg = if op.flag {
                        self.parse_type()?
                    } else {
                        self.parse_expr()?
                    };
                    Some(self.make_prec(Kind::EnclosingExpr(sym, arg), prec))
                }
                OpKind::NameOnly => None,
            };
        }
        if self.num_left() < 2 {
            return None;
        }
        match self.look(0) {
            b'L' => return self.parse_expr_primary(),
            b'T' => return self.parse_template_param(),
            b'f' => {
                // A fold expression, or a function parameter.
                if self.look(1) == b'p' || (self.look(1) == b'L' && self.look(2).is_ascii_digit()) {
                    return self.parse_function_param();
                }
                return self.parse_fold_expr();
            }
            _ => {}
        }
        if self.consume_if(b"il") {
            let begin = self.names.len();
            while !self.consume_byte(b'E') {
                let e = self.parse_braced_expr()?;
                self.names.push(e);
            }
            let inits = self.pop_list(begin);
            return Some(self.make(Kind::InitListExpr(None, inits)));
        }
        if self.consume_if(b"mc") {
            return self.parse_pointer_to_member_conversion_expr(Prec::Unary);
        }
        if self.consume_if(b"nx") {
            let e = self.parse_expr()?;
            return Some(self.make_prec(Kind::EnclosingExpr(b"noexcept ", e), Prec::Unary));
        }
        if self.look(0) == b'r' && matches!(self.look(1), b'q' | b'Q') {
            return self.parse_requires_expr();
        }
        if self.consume_if(b"so") {
            return self.parse_subobject_expr();
        }
        if self.consume_if(b"sp") {
            let child = self.parse_expr()?;
            return Some(self.make(Kind::ParameterPackExpansion(child)));
        }
        if self.consume_if(b"sZ") {
            if self.look(0) == b'T' {
                let r = self.parse_template_param()?;
                return Some(self.make(Kind::SizeofParamPackExpr(r)));
            }
            let fp = self.parse_function_param()?;
            return Some(self.make(Kind::EnclosingExpr(b"sizeof... ", fp)));
        }
        if self.consume_if(b"sP") {
            let begin = self.names.len();
            while !self.consume_byte(b'E') {
                let arg = self.parse_template_arg()?;
                self.names.push(arg);
            }
            let list = self.pop_list(begin);
            let pack = self.make(Kind::NodeArray(list));
            return Some(self.make(Kind::EnclosingExpr(b"sizeof... ", pack)));
        }
        if self.consume_if(b"tl") {
            let ty = self.parse_type()?;
            let begin = self.names.len();
            while !self.consume_byte(b'E') {
                let e = self.parse_braced_expr()?;
                self.names.push(e);
            }
            let inits = self.pop_list(begin);
            return Some(self.make(Kind::InitListExpr(Some(ty), inits)));
        }
        if self.consume_if(b"tr") {
            return Some(self.name(b"throw"));
        }
        if self.consume_if(b"tw") {
            let e = self.parse_expr()?;
            return Some(self.make(Kind::ThrowExpr(e)));
        }
        if self.consume_byte(b'u') {
            let name = self.parse_source_name()?;
            // The legacy `__uuidof` mangling has `t <type>` or `z <expression>`.
            let mut uuid = None;
            if self.ast.base_name(name) == b"__uuidof" {
                if self.consume_byte(b't') {
                    uuid = Some(self.parse_type());
                } else if self.consume_byte(b'z') {
                    uuid = Some(self.parse_expr());
                }
            }
            let begin = self.names.len();
            if let Some(uuid) = uuid {
                self.names.push(uuid?);
            } else {
                while !self.consume_byte(b'E') {
                    let e = self.parse_template_arg()?;
                    self.names.push(e);
                }
            }
            let args = self.pop_list(begin);
            return Some(self.make_prec(Kind::CallExpr(name, args, false), Prec::Postfix));
        }
        self.parse_unresolved_name(global)
    }

    // --- Special names ---

    /// `<call-offset>`: `h <number> _` or `v <number> _ <number> _`. False if malformed.
    fn parse_call_offset(&mut self) -> bool {
        if self.consume_byte(b'h') {
            return !self.parse_number(true).is_empty() && self.consume_byte(b'_');
        }
        if self.consume_byte(b'v') {
            return !self.parse_number(true).is_empty()
                && self.consume_byte(b'_')
                && !self.parse_number(true).is_empty()
                && self.consume_byte(b'_');
        }
        false
    }

    /// `<special-name>`: vtables, typeinfo, thunks, guard variables and the like.
    fn parse_special_name(&mut self) -> Option<NodeId> {
        let special = |p: &mut Self, prefix: Str<'static>, child: NodeId| {
            Some(p.make(Kind::SpecialName(prefix, child)))
        };
        match (self.look(0), self.look(1)) {
            (b'T', c) => {
                let typed: Option<Str<'static>> = match c {
                    b'V' => Some(b"vtable for "),
                    b'T' => Some(b"VTT for "),
                    b'I' => Some(b"typeinfo for "),
                    b'S' => Some(b"typeinfo name for "),
                    _ => None,
                };
                if let Some(prefix) = typed {
                    self.pos += 2;
                    let ty = self.parse_type()?;
                    return special(self, prefix, ty);
                }
                match c {
                    b'A' => {
                        self.pos += 2;
                        let arg = self.parse_template_arg()?;
                        special(self, b"template parameter object for ", arg)
                    }
                    b'c' => {
                        self.pos += 2;
                        if !self.parse_call_offset() || !self.parse_call_offset() {
                            return None;
                        }
                        let e = self.parse_encoding()?;
                        special(self, b"covariant return thunk to ", e)
                    }
                    b'C' => {
                        self.pos += 2;
                        let first = self.parse_type()?;
                        if self.parse_number(true).is_empty() || !self.consume_byte(b'_') {
                            return None;
                        }
                        let second = self.parse_type()?;
                        Some(self.make(Kind::CtorVtableSpecialName(second, first)))
                    }
                    b'W' | b'H' => {
                        self.pos += 2;
                        let name = self.parse_name(None)?;
                        let prefix: Str<'static> = if c == b'W' {
                            b"thread-local wrapper routine for "
                        } else {
                            b"thread-local initialization routine for "
                        };
                        special(self, prefix, name)
                    }
                    _ => {
                        self.pos += 1;
                        let virt = self.look(0) == b'v';
                        if !self.parse_call_offset() {
                            return None;
                        }
                        let e = self.parse_encoding()?;
                        let prefix: Str<'static> = if virt {
                            b"virtual thunk to "
                        } else {
                            b"non-virtual thunk to "
                        };
                        special(self, prefix, e)
                    }
                }
            }
            (b'G', b'V') => {
                self.pos += 2;
                let name = self.parse_name(None)?;
                special(self, b"guard variable for ", name)
            }
            (b'G', b'R') => {
                self.pos += 2;
                let name = self.parse_name(None)?;
                let parsed_seq_id = self.parse_seq_id().is_some();
                if !self.consume_byte(b'_') && parsed_seq_id {
                    return None;
                }
                special(self, b"reference temporary for ", name)
            }
            (b'G', b'I') => {
                self.pos += 2;
                let mut module = None;
                if !self.parse_module_name_opt(&mut module) {
                    return None;
                }
                special(self, b"initializer for module ", module?)
            }
            _ => None,
        }
    }

    fn parse_floating_literal(&mut self, kind: FloatKind) -> Option<NodeId> {
        let n = kind.digits();
        if self.num_left() <= n {
            return None;
        }
        let data = &self.s[self.pos..self.pos + n];
        if !data.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        self.pos += n;
        if !self.consume_byte(b'E') {
            return None;
        }
        Some(self.make(Kind::FloatLiteral(kind, data)))
    }

    /// `<seq-id>`: base-36 digits `0-9A-Z` (wrapping like C's `size_t`).
    fn parse_seq_id(&mut self) -> Option<usize> {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(usize::from(c - b'0')),
            b'A'..=b'Z' => Some(usize::from(c - b'A') + 10),
            _ => None,
        };
        digit(self.look(0))?;
        let mut id: usize = 0;
        while self.num_left() > 0 {
            let Some(d) = digit(self.look(0)) else {
                break;
            };
            id = id.wrapping_mul(36).wrapping_add(d);
            self.pos += 1;
        }
        Some(id)
    }

    /// `<substitution>`: `S_`, `S <seq-id> _`, or a standard abbreviation (`Sa`, `Ss`...).
    fn parse_substitution(&mut self) -> Option<NodeId> {
        if !self.consume_byte(b'S') {
            return None;
        }
        if self.look(0).is_ascii_lowercase() {
            let kind = match self.look(0) {
                b'a' => SpecialSub::Allocator,
                b'b' => SpecialSub::BasicString,
                b'd' => SpecialSub::Iostream,
                b'i' => SpecialSub::Istream,
                b'o' => SpecialSub::Ostream,
                b's' => SpecialSub::String,
                _ => return None,
            };
            self.pos += 1;
            let special = self.make(Kind::SpecialSubstitution(kind));
            // With ABI tags, the tagged name is a substitution candidate.
            let with_tags = self.parse_abi_tags(special)?;
            if with_tags != special {
                self.subs.push(with_tags);
            }
            return Some(with_tags);
        }
        if self.consume_byte(b'_') {
            return self.subs.first().copied();
        }
        let index = self.parse_seq_id()?.wrapping_add(1);
        if !self.consume_byte(b'_') {
            return None;
        }
        self.subs.get(index).copied()
    }

    /// `<template-param>`: `T_`, `T <number> _`, `TL <level> __`, `TL <level> _ <number> _`.
    fn parse_template_param(&mut self) -> Option<NodeId> {
        let begin = self.pos;
        if !self.consume_byte(b'T') {
            return None;
        }
        let mut level = 0usize;
        if self.consume_byte(b'L') {
            level = self.parse_positive_integer()?.wrapping_add(1);
            if !self.consume_byte(b'_') {
                return None;
            }
        }
        let mut index = 0usize;
        if !self.consume_byte(b'_') {
            index = self.parse_positive_integer()?.wrapping_add(1);
            if !self.consume_byte(b'_') {
                return None;
            }
        }
        // In a constraint expression, the parameter prints as written.
        if self.incomplete_template_parameter_tracking {
            let text = &self.s[begin..self.pos - 1];
            return Some(self.name(text));
        }
        // A conversion operator's type may refer to template arguments not yet parsed.
        if self.permit_forward_template_references && level == 0 {
            let fr = self.make(Kind::ForwardTemplateReference(index, None));
            self.forward_refs.push(fr);
            return Some(fr);
        }
        if let Some(Some(list)) = self.template_params.get(level).copied()
            && let Some(&arg) = self.list_ref(list).get(index)
        {
            return Some(arg);
        }
        // In a generic lambda's parameters, `auto` is an invented template parameter.
        if self.parsing_lambda_params_at_level == level && level <= self.template_params.len() {
            if level == self.template_params.len() {
                self.template_params.push(None);
            }
            return Some(self.name(b"auto"));
        }
        None
    }

    fn is_template_param_decl(&self) -> bool {
        self.look(0) == b'T' && matches!(self.look(1), b'y' | b'p' | b't' | b'n' | b'k')
    }

    /// `<template-param-decl>`: `Ty`, `Tk <concept>`, `Tn <type>`, `Tt ... E`, `Tp ...`;
    /// its invented name joins the list `params`, if given.
    fn parse_template_param_decl(&mut self, params: Option<usize>) -> Option<NodeId> {
        self.nested(|p| p.parse_template_param_decl_inner(params))
    }

    fn invent_template_param_name(&mut self, kind: ParamKind, params: Option<usize>) -> NodeId {
        let slot = &mut self.synthetic[kind as usize];
        let index = *slot;
        *slot = slot.wrapping_add(1);
        let n = self.make(Kind::SyntheticTemplateParamName(kind, index));
        if let Some(p) = params {
            self.scoped[p].push(n);
        }
        n
    }

    fn parse_template_param_decl_inner(&mut self, params: Option<usize>) -> Option<NodeId> {
        if self.consume_if(b"Ty") {
            let name = self.invent_template_param_name(ParamKind::Type, params);
            return Some(self.make(Kind::TypeTemplateParamDecl(name)));
        }
        if self.consume_if(b"Tk") {
            let saved = std::mem::replace(&mut self.incomplete_template_parameter_tracking, true);
            let constraint = self.parse_name(None);
            self.incomplete_template_parameter_tracking = saved;
            let constraint = constraint?;
            let name = self.invent_template_param_name(ParamKind::Type, params);
            return Some(self.make(Kind::ConstrainedTypeTemplateParamDecl(constraint, name)));
        }
        if self.consume_if(b"Tn") {
            let name = self.invent_template_param_name(ParamKind::NonType, params);
            let ty = self.parse_type()?;
            return Some(self.make(Kind::NonTypeTemplateParamDecl(name, ty)));
        }
        if self.consume_if(b"Tt") {
            let name = self.invent_template_param_name(ParamKind::Template, params);
            let begin = self.names.len();
            let (old, idx) = self.open_scoped();
            let r = (|| {
                let mut requires = None;
                while !self.consume_byte(b'E') {
                    let p = self.parse_template_param_decl(Some(idx))?;
                    self.names.push(p);
                    if self.consume_byte(b'Q') {
                        requires = Some(self.parse_constraint_expr()?);
                        if !self.consume_byte(b'E') {
                            return None;
                        }
                        break;
                    }
                }
                Some(requires)
            })();
            self.close_scoped(old);
            let requires = r?;
            let inner = self.pop_list(begin);
            return Some(self.make(Kind::TemplateTemplateParamDecl(name, inner, requires)));
        }
        if self.consume_if(b"Tp") {
            let p = self.parse_template_param_decl(params)?;
            return Some(self.make(Kind::TemplateParamPackDecl(p)));
        }
        None
    }

    /// `<template-arg>`: a type, `X <expression> E`, a literal, `J <template-arg>* E`, or
    /// a declared parameter and its argument.
    fn parse_template_arg(&mut self) -> Option<NodeId> {
        self.nested(|p| p.parse_template_arg_inner())
    }

    fn parse_template_arg_inner(&mut self) -> Option<NodeId> {
        match self.look(0) {
            b'X' => {
                self.pos += 1;
                let arg = self.parse_expr()?;
                self.consume_byte(b'E').then_some(arg)
            }
            b'J' => {
                self.pos += 1;
                let begin = self.names.len();
                while !self.consume_byte(b'E') {
                    let arg = self.parse_template_arg()?;
                    self.names.push(arg);
                }
                let args = self.pop_list(begin);
                Some(self.make(Kind::TemplateArgumentPack(args)))
            }
            b'L' if self.look(1) == b'Z' => {
                self.pos += 2;
                let arg = self.parse_encoding()?;
                self.consume_byte(b'E').then_some(arg)
            }
            b'L' => self.parse_expr_primary(),
            b'T' if self.is_template_param_decl() => {
                self.parse_template_param_decl(None)?;
                let arg = self.parse_template_arg()?;
                Some(self.make(Kind::TemplateParamQualifiedArg(arg)))
            }
            _ => self.parse_type(),
        }
    }

    /// `<template-args>`: `I <template-arg>* [Q <requires-clause>] E`. With `tag`, they
    /// are the arguments the encoding's `T_` parameters refer to.
    fn parse_template_args(&mut self, tag: bool) -> Option<NodeId> {
        if !self.consume_byte(b'I') {
            return None;
        }
        if tag {
            self.template_params.clear();
            self.template_params.push(Some(ListRef::Outer));
            self.outer.clear();
        }
        let begin = self.names.len();
        while !self.consume_byte(b'E') {
            let arg = self.parse_template_arg()?;
            self.names.push(arg);
            if tag {
                let entry = match *self.ast.kind(arg) {
                    Kind::TemplateParamQualifiedArg(a) => a,
                    Kind::TemplateArgumentPack(elements) => {
                        self.make(Kind::ParameterPack(elements))
                    }
                    _ => arg,
                };
                self.outer.push(entry);
            }
            if self.consume_byte(b'Q') {
                // The requires-clause is parsed but not printed.
                self.parse_constraint_expr()?;
                if !self.consume_byte(b'E') {
                    return None;
                }
                break;
            }
        }
        let args = self.pop_list(begin);
        Some(self.make(Kind::TemplateArgs(args)))
    }
}

/// A `D...` type, and whether the substitution table takes it.
enum DType {
    Final(NodeId),
    Substitutable(NodeId),
}

/// `[_Sat] [unsigned] [short|long] _Accum|_Fract` for `[DS] DA`/`DR` and a size letter.
fn fixed_point_name(sat: bool, accum: bool, c: u8) -> Option<Str<'static>> {
    let names: [Str<'static>; 6] = match (sat, accum) {
        (false, true) => [
            b"short _Accum",
            b"unsigned short _Accum",
            b"_Accum",
            b"unsigned _Accum",
            b"long _Accum",
            b"unsigned long _Accum",
        ],
        (false, false) => [
            b"short _Fract",
            b"unsigned short _Fract",
            b"_Fract",
            b"unsigned _Fract",
            b"long _Fract",
            b"unsigned long _Fract",
        ],
        (true, true) => [
            b"_Sat short _Accum",
            b"_Sat unsigned short _Accum",
            b"_Sat _Accum",
            b"_Sat unsigned _Accum",
            b"_Sat long _Accum",
            b"_Sat unsigned long _Accum",
        ],
        (true, false) => [
            b"_Sat short _Fract",
            b"_Sat unsigned short _Fract",
            b"_Sat _Fract",
            b"_Sat unsigned _Fract",
            b"_Sat long _Fract",
            b"_Sat unsigned long _Fract",
        ],
    };
    let i = match c {
        b's' => 0,
        b't' => 1,
        b'i' => 2,
        b'j' => 3,
        b'l' => 4,
        b'm' => 5,
        _ => return None,
    };
    Some(names[i])
}

/// A `<length><bytes>` source name read from `s` alone, or empty.
fn bare_source_name_in(s: Str<'_>) -> Str<'_> {
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return b"";
    }
    let mut n: usize = 0;
    for &c in &s[..digits] {
        n = n.wrapping_mul(10).wrapping_add(usize::from(c - b'0'));
    }
    let rest = &s[digits..];
    if rest.len() < n { b"" } else { &rest[..n] }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Operators are found by binary search: the table must stay sorted by encoding.
    #[test]
    fn operator_table_is_sorted() {
        assert!(OPS.windows(2).all(|w| w[0].enc < w[1].enc));
    }
}
